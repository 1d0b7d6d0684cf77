"""The console's route table: every path, its method and the view that answers it."""

from __future__ import annotations

from pathlib import Path
from typing import Awaitable, Callable, List, Tuple

from aiohttp import web

from bot.console.views import copilot, dashboard, intake, login, lookup, policies, review, tickets

STATIC = Path(__file__).resolve().parent / "static"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ROUTES: List[Tuple[str, str, Handler]] = [
    ("GET", "/health", login.health),
    ("GET", "/login", login.login_page),
    ("POST", "/login", login.login_submit),
    ("POST", "/logout", login.logout),
    ("GET", "/", login.home),
    ("GET", "/favicon.ico", login.favicon),
    ("GET", "/copilot", copilot.copilot_page),
    ("POST", "/api/copilot", copilot.copilot_api),
    ("GET", "/api/clauses/{notice}/{clause}", policies.clause_api),
    ("GET", "/lookup", lookup.lookup_page),
    ("POST", "/lookup", lookup.lookup_submit),
    ("POST", "/lookup/reveal", lookup.lookup_reveal),
    ("GET", "/intake", intake.intake_page),
    ("POST", "/intake/prefill", intake.intake_prefill),
    ("POST", "/intake", intake.intake_submit),
    ("GET", "/queue", tickets.queue_page),
    ("GET", "/tickets/{number}", tickets.ticket_view),
    ("POST", "/tickets/{number}/update", tickets.ticket_update),
    ("POST", "/tickets/{number}/reveal", tickets.ticket_reveal),
    ("POST", "/tickets/{number}/code", tickets.ticket_code),
    ("POST", "/tickets/{number}/unlock", tickets.ticket_unlock),
    ("GET", "/policies", policies.policies_page),
    ("GET", "/review", review.review_list),
    ("POST", "/review/{event_id}", review.review_label),
    ("GET", "/dashboard", dashboard.dashboard_page),
    ("GET", "/audit", dashboard.audit_page),
]


def setup_routes(app: web.Application) -> None:
    """The static files (named "static", versioned URLs), then every route of the table."""
    app.router.add_static("/static/", STATIC, name="static", append_version=True)
    for method, path, handler in ROUTES:
        app.router.add_route(method, path, handler)
