"""What every console handler shares: rendering a page or an error, the logged-in staff member,
the supervisor-only guard, and running blocking store work off the event loop."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

import jinja2
from aiohttp import web

from bot.console.settings import JINJA, SETTINGS, STAFF
from bot.console.staff import LoginSession

KIND_LABELS = {"complaint": "欠薪投诉", "callback": "回电请求"}


def run(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Awaitable[Any]:
    """Blocking store work, off the event loop."""
    return asyncio.to_thread(function, *args, **kwargs)


def current(request: web.Request) -> LoginSession:
    return request["login"]


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    env: jinja2.Environment = request.app[JINJA]
    login = request.get("login")
    page = env.get_template(template).render(
        login=login,
        csrf=login.csrf_token if login else request.get("login_csrf", ""),
        path=request.path,
        today=request.app[SETTINGS].today(),
        flash=request.get("flash"),
        **context,
    )
    return web.Response(text=page, status=status, content_type="text/html", charset="utf-8")


def error_page(request: web.Request, status: int, message: str) -> web.Response:
    if request.path.startswith("/api/"):
        return web.json_response({"error": message}, status=status)
    return render(request, "error.html", status=status, message=message)


def require_supervisor(handler: Callable[[web.Request], Awaitable[web.StreamResponse]]):
    async def wrapped(request: web.Request) -> web.StreamResponse:
        if not current(request).staff.is_supervisor:
            await run(request.app[STAFF].audit, current(request).staff.name, "denied", request.path, "需要班长权限")
            return error_page(request, 403, "此操作需要班长（supervisor）权限")
        return await handler(request)

    return wrapped


def client_address(request: web.Request) -> str:
    return request.remote or "?"
