"""The console's middlewares: security headers (and Chinese error pages), the login session every
page but the login page needs, and the CSRF token every POST carries. Failed log-ins are counted
and locked out by bot/console/staff.py."""

from __future__ import annotations

import hmac
import logging
from typing import Optional
from urllib.parse import urlencode

from aiohttp import web

from bot.console.pages import error_page, run
from bot.console.settings import SETTINGS, STAFF

logger = logging.getLogger(__name__)

SESSION_COOKIE = "console_session"
LOGIN_CSRF_COOKIE = "console_login_csrf"
PUBLIC = {"/login", "/health", "/favicon.ico"}
CSRF_FAILED = "请求已失效或来源不明（CSRF 校验未通过），请刷新页面后重试"


def set_cookie(
    response: web.StreamResponse, request: web.Request, name: str, value: str, max_age: Optional[int] = None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="Strict",
        path="/",
        secure=request.app[SETTINGS].secure_cookies,
    )


@web.middleware
async def security_headers(request: web.Request, handler):
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status >= 400 and exc.status != 405:
            response = error_page(request, exc.status, {404: "页面不存在"}.get(exc.status, exc.reason))
        else:
            raise
    except Exception:  # an unexpected failure: a Chinese page, the detail in the (masked) log
        logger.exception("console error on %s", request.path)
        response = error_page(request, 500, "系统出错了，请稍后再试；问题已记录")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@web.middleware
async def authentication(request: web.Request, handler):
    """Every page but the login page needs a live session."""
    if request.path.startswith("/static/"):  # public files: no session lookup for them
        return await handler(request)
    token = request.cookies.get(SESSION_COOKIE)
    login = await run(request.app[STAFF].session, token) if token else None
    if login is not None:
        request["login"] = login
    elif request.path not in PUBLIC:
        if request.path.startswith("/api/"):
            return web.json_response({"error": "请先登录"}, status=401)
        if request.method == "GET":
            target = request.path_qs if request.path != "/" else "/copilot"
            raise web.HTTPSeeOther(f"/login?{urlencode({'next': target})}")
        raise web.HTTPSeeOther("/login")
    return await handler(request)


@web.middleware
async def csrf_protection(request: web.Request, handler):
    """POSTs carry the session's CSRF token (form field `csrf` or header X-CSRF-Token); the login
    form, before there is a session, carries a token matching its own cookie."""
    if request.method == "POST":
        sent = request.headers.get("X-CSRF-Token")
        if sent is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            sent = (await request.post()).get("csrf")
        login = request.get("login")
        expected = login.csrf_token if login else request.cookies.get(LOGIN_CSRF_COOKIE)
        if not sent or not expected or not hmac.compare_digest(str(sent), expected):
            if login:
                await run(request.app[STAFF].audit, login.staff.name, "csrf_refused", request.path)
            return error_page(request, 403, CSRF_FAILED)
    return await handler(request)


MIDDLEWARES = [security_headers, authentication, csrf_protection]
