"""Logging in and out, and the pages that need no login (health, favicon)."""

from __future__ import annotations

import re
import secrets
from typing import Optional

from aiohttp import web

from bot.console.pages import client_address, render, run
from bot.console.security import LOGIN_CSRF_COOKIE, SESSION_COOKIE, set_cookie
from bot.console.settings import STAFF
from bot.console.staff import LoginLocked, StaffError

LOGIN_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def _safe_next(target: Optional[str]) -> str:
    """Only paths on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/copilot"


async def login_page(request: web.Request) -> web.Response:
    if request.get("login"):
        raise web.HTTPSeeOther("/copilot")
    # Keep the token this browser already holds: a second login page (another tab, or the
    # browser's own /favicon.ico request, redirected here) must not invalidate the open form.
    held = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    token = held if LOGIN_TOKEN.fullmatch(held) else secrets.token_urlsafe(32)
    request["login_csrf"] = token
    response = render(request, "login.html", next=_safe_next(request.query.get("next")))
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    target = _safe_next(form.get("next"))
    try:
        login = await run(
            request.app[STAFF].login, str(form.get("name", "")), str(form.get("password", "")), client_address(request)
        )
    except StaffError as exc:
        token = secrets.token_urlsafe(32)
        request["login_csrf"] = token
        status = 429 if isinstance(exc, LoginLocked) else 401
        response = render(
            request, "login.html", status=status, error=str(exc), next=target, name=str(form.get("name", ""))[:64]
        )
        if isinstance(exc, LoginLocked):
            response.headers["Retry-After"] = str(exc.retry_after)
        set_cookie(response, request, LOGIN_CSRF_COOKIE, token, max_age=3600)
        return response
    response = web.HTTPSeeOther(target)
    set_cookie(response, request, SESSION_COOKIE, login.token)
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/")
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    await run(request.app[STAFF].logout, request.cookies.get(SESSION_COOKIE, ""))
    response = web.HTTPSeeOther("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def favicon(request: web.Request) -> web.Response:
    """Browsers ask for it by themselves; no icon, and no detour through the login page."""
    return web.Response(status=204)


async def home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther("/copilot")
