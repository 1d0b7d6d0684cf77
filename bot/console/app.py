"""The hotline staff's console: an aiohttp application serving server-rendered pages.

  python -m bot.console [--host 127.0.0.1] [--port 8000]

Pages: copilot (what the caller says → intent, entities, the chat's cited answer), eligibility
lookup, complaint and callback intake, the ticket queue, the policy clauses, the review of chat
turns the model was unsure about, and a dashboard. Every page needs a login; every POST needs the
session's CSRF token. The console has no rules or answers of its own: it calls the same `bot`
services as the chat, and Rasa's HTTP API for the NLU.

Laid out like aiohttp-demos' polls: this app factory; settings.py (the environment and the typed
application keys); security.py (the middlewares: headers, login session, CSRF); routes.py (the
route table); views/ (one module per page area); pages.py (what the views share); templates/ and
static/.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

import jinja2
from aiohttp import web

from bot.complaints.dialogue import ComplaintIntake
from bot.complaints.service import ComplaintService
from bot.console.copilot import Copilot
from bot.console.pages import KIND_LABELS
from bot.console.rasa_client import RasaClient
from bot.console.review import ReviewStore
from bot.console.routes import setup_routes
from bot.console.security import MIDDLEWARES
from bot.console.settings import (
    BOOK,
    COMPLAINTS,
    COPILOT,
    ELIGIBILITY,
    INTAKE,
    JINJA,
    LOOKUPS,
    RASA,
    REVIEWS,
    SETTINGS,
    STAFF,
    Settings,
)
from bot.console.staff import StaffService
from bot.console.views.policies import clause_anchor
from bot.eligibility.service import EligibilityService
from bot.policy.loader import policy_book
from bot.text.mask import install_masking_filter

HERE = Path(__file__).resolve().parent


def create_app(settings: Optional[Settings] = None) -> web.Application:
    settings = settings or Settings.from_env()
    install_masking_filter()
    install_masking_filter(logging.getLogger("aiohttp.access"))
    app = web.Application(middlewares=MIDDLEWARES, client_max_size=256 * 1024)
    app[SETTINGS] = settings
    app[BOOK] = book = policy_book()
    app[STAFF] = StaffService(settings.store_url)
    app[COMPLAINTS] = ComplaintService(settings.store_url, clock=settings.today)
    app[INTAKE] = ComplaintIntake(app[COMPLAINTS], book, today=settings.today)
    app[ELIGIBILITY] = EligibilityService(settings.store_url, book)
    app[REVIEWS] = ReviewStore(settings.store_url)
    app[COPILOT] = Copilot(book)
    app[RASA] = RasaClient(settings.rasa_url, settings.rasa_token)
    app[LOOKUPS] = {}
    app[JINJA] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    app[JINJA].globals.update(kinds=KIND_LABELS, clause_anchor=clause_anchor)

    async def close_rasa(app: web.Application) -> None:
        await app[RASA].close()

    app.on_cleanup.append(close_rasa)
    setup_routes(app)
    app[JINJA].globals["static"] = lambda name: str(app.router["static"].url_for(filename=name))
    return app
