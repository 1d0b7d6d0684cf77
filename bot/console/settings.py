"""The console's settings and what the application holds (aiohttp's typed application keys).

Settings (environment): DATABASE_URL (the store), BOT_TRACKER_URL (Rasa's tracker store),
RASA_URL (default http://localhost:5005), RASA_TOKEN (Rasa's --auth-token), CONSOLE_SECURE_COOKIES
(1 by default: cookies only over HTTPS or localhost; 0 only behind a TLS-terminating proxy that
rewrites the scheme), BOT_TODAY.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Callable, Optional

import jinja2
from aiohttp import web

from bot.clock import today as bot_today
from bot.complaints.dialogue import ComplaintIntake
from bot.complaints.service import ComplaintService
from bot.console.copilot import Copilot
from bot.console.rasa_client import RasaClient
from bot.console.review import ReviewStore
from bot.console.staff import StaffService
from bot.eligibility.service import EligibilityService
from bot.policy.model import PolicyBook


@dataclass
class Settings:
    store_url: Optional[str] = None  # None: DATABASE_URL or the default SQLite file
    tracker_url: Optional[str] = None  # None: BOT_TRACKER_URL or var/tracker.db
    rasa_url: str = "http://localhost:5005"
    rasa_token: Optional[str] = None
    secure_cookies: bool = True
    today: Callable[[], dt.date] = bot_today

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            store_url=os.environ.get("DATABASE_URL") or None,
            tracker_url=os.environ.get("BOT_TRACKER_URL") or None,
            rasa_url=os.environ.get("RASA_URL") or "http://localhost:5005",
            rasa_token=os.environ.get("RASA_TOKEN") or None,
            secure_cookies=os.environ.get("CONSOLE_SECURE_COOKIES", "1") != "0",
        )


# What the application holds (aiohttp's typed application keys)
SETTINGS = web.AppKey("settings", Settings)
BOOK = web.AppKey("book", PolicyBook)
STAFF = web.AppKey("staff", StaffService)
COMPLAINTS = web.AppKey("complaints", ComplaintService)
INTAKE = web.AppKey("intake", ComplaintIntake)
ELIGIBILITY = web.AppKey("eligibility", EligibilityService)
REVIEWS = web.AppKey("reviews", ReviewStore)
COPILOT = web.AppKey("copilot", Copilot)
RASA = web.AppKey("rasa", RasaClient)
LOOKUPS = web.AppKey("lookups", dict)
JINJA = web.AppKey("jinja", jinja2.Environment)
