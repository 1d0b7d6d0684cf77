"""The hotline staff's console: an aiohttp application serving server-rendered pages.

  python -m bot.console [--host 127.0.0.1] [--port 8000]

Pages: copilot (what the caller says → intent, entities, the chat's cited answer), eligibility
lookup, complaint and callback intake, the ticket queue, the policy clauses, the review of chat
turns the model was unsure about, and a dashboard. Every page needs a login; every POST needs the
session's CSRF token. The console has no rules or answers of its own: it calls the same `bot`
services as the chat, and Rasa's HTTP API for the NLU.

Settings (environment): DATABASE_URL (the store), BOT_TRACKER_URL (Rasa's tracker store),
RASA_URL (default http://localhost:5005), RASA_TOKEN (Rasa's --auth-token), CONSOLE_SECURE_COOKIES
(1 by default: cookies only over HTTPS or localhost; 0 only behind a TLS-terminating proxy that
rewrites the scheme), BOT_TODAY.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional
from urllib.parse import quote, urlencode

import jinja2
from aiohttp import web

from bot.clock import today as bot_today
from bot.complaints.dialogue import ComplaintIntake
from bot.complaints.parsing import parse_amount, parse_months, parse_phone, read_amount
from bot.complaints.service import (
    STATUSES,
    TRANSITIONS,
    ComplaintService,
    Draft,
    TicketError,
    TicketView,
    normalize_ticket_number,
)
from bot.console.charts import bar_chart, column_chart
from bot.console.copilot import Copilot, intent_label
from bot.console.rasa_client import RasaClient, RasaUnavailable
from bot.console.review import ReviewError, ReviewStore, domain_intents
from bot.console.staff import LoginLocked, LoginSession, StaffError, StaffService
from bot.console.traffic import review_queue, review_turn, traffic_stats
from bot.dialogue import INTENT_TOPICS
from bot.eligibility.service import EligibilityService, SubjectError
from bot.policy.loader import policy_book
from bot.policy.model import TOPICS, PolicyBook
from bot.text.mask import install_masking_filter, mask_id_number, mask_name, mask_phone, mask_text
from bot.text.numbers import AMOUNT_RANGE, HEADCOUNT_MAX, HEADCOUNT_MIN, headcount_plausible, read_int

logger = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "console_session"
LOGIN_CSRF_COOKIE = "console_login_csrf"
PUBLIC = {"/login", "/health", "/favicon.ico"}
PAGE_SIZE = 20
LOOKUP_TTL = 30 * 60  # seconds a lookup can be revealed after it was made
KIND_LABELS = {"complaint": "欠薪投诉", "callback": "回电请求"}
DECISION_LABELS = {"eligible": "符合", "not_eligible": "不符合", "unknown": "待核实"}
STATUS_MARKS = {"met": "✓", "not_met": "✗", "unknown": "?"}
LOGIN_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
CSRF_FAILED = "请求已失效或来源不明（CSRF 校验未通过），请刷新页面后重试"


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


@dataclass
class Lookup:
    """An eligibility lookup kept server-side, so the full number never goes back to the page."""

    subject: str
    owner: str  # the session token's holder
    at: float = field(default_factory=time.monotonic)


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


def run(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Awaitable[Any]:
    """Blocking store work, off the event loop."""
    return asyncio.to_thread(function, *args, **kwargs)


# ---- helpers for handlers --------------------------------------------------------------------


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


def _set_cookie(
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


# ---- middlewares -----------------------------------------------------------------------------


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


# ---- logging in --------------------------------------------------------------------------------


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
    _set_cookie(response, request, LOGIN_CSRF_COOKIE, token, max_age=3600)
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
        _set_cookie(response, request, LOGIN_CSRF_COOKIE, token, max_age=3600)
        return response
    response = web.HTTPSeeOther(target)
    _set_cookie(response, request, SESSION_COOKIE, login.token)
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


# ---- copilot -------------------------------------------------------------------------------------


async def copilot_page(request: web.Request) -> web.Response:
    return render(request, "copilot.html", regions=request.app[BOOK].regions)


async def copilot_api(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except ValueError:
        return web.json_response({"error": "请求格式不对"}, status=400)
    text = str(body.get("text") or "").strip()
    if not text:
        return web.json_response({"error": "请输入来电人说的话"}, status=400)
    if len(text) > 1000:
        return web.json_response({"error": "内容太长，请分段输入（每次不超过1000字）"}, status=400)
    region = str(body.get("region") or "") or None
    if region and region not in {r.key for r in request.app[BOOK].regions}:
        region = None
    try:
        parsed = await request.app[RASA].parse(text)
    except RasaUnavailable as exc:
        return web.json_response({"error": str(exc)}, status=503)
    suggestion = request.app[COPILOT].suggest(parsed, request.app[SETTINGS].today(), region)
    data = suggestion.to_dict()
    data["text"] = mask_text(data["text"])
    for entity in data["entities"]:  # the page shows numbers masked, as everywhere else
        entity["value"], entity["text"] = mask_text(entity["value"]), mask_text(entity["text"])
    return web.json_response(data)


async def clause_api(request: web.Request) -> web.Response:
    notice = request.app[BOOK].notice(request.match_info["notice"])
    if notice is None:
        return web.json_response({"error": "没有这份通知"}, status=404)
    try:
        clause = notice.clause(request.match_info["clause"])
    except KeyError:
        return web.json_response({"error": "没有这一条"}, status=404)
    return web.json_response(
        {
            "notice": notice.number,
            "title": notice.title,
            "cite": clause.cite,
            "heading": clause.heading,
            "text": clause.text,
            "link": f"/policies#{clause_anchor(notice.key, clause.id)}",
        }
    )


def clause_anchor(notice_key: str, clause_id: str) -> str:
    return "c-" + quote(f"{notice_key}-{clause_id}", safe="")


# ---- eligibility lookup --------------------------------------------------------------------


def _lookups(request: web.Request) -> Dict[str, Lookup]:
    store: Dict[str, Lookup] = request.app[LOOKUPS]
    now = time.monotonic()
    for ref in [r for r, item in store.items() if now - item.at > LOOKUP_TTL]:
        del store[ref]
    return store


def _report_context(report, reveal: bool) -> Dict[str, Any]:
    if report.kind == "person":
        shown_id = report.subject_id if reveal else mask_id_number(report.subject_id)
        name = report.name if reveal else mask_name(report.name)
    else:
        shown_id, name = report.subject_id, report.name
    return {
        "kind": report.kind,
        "subject": shown_id,
        "name": name,
        "benefits": [
            {
                "name": d.name,
                "decision": DECISION_LABELS.get(d.decision, d.decision),
                "decision_key": d.decision,
                "amount": d.amount_text or (f"{d.amount} 元" if d.amount is not None else ""),
                "citation": d.citation,
                "how": d.how_to_claim,
                "referral": d.referral,
                "conditions": [
                    {
                        "mark": STATUS_MARKS.get(c.status, c.status),
                        "status": c.status,
                        "text": c.text,
                        "explanation": c.explanation,
                        "clause": c.clause,
                    }
                    for c in d.conditions
                ],
            }
            for d in report.benefits
        ],
        "workforce": [w.to_dict() for w in report.workforce],
    }


async def lookup_page(request: web.Request) -> web.Response:
    return render(request, "lookup.html")


async def lookup_submit(request: web.Request) -> web.Response:
    form = await request.post()
    subject = str(form.get("subject", "")).strip()
    try:
        report = await run(request.app[ELIGIBILITY].check, subject)
    except SubjectError as exc:
        return render(request, "lookup.html", status=400, error=str(exc))
    if report is None:
        return render(request, "lookup.html", status=404, error=mask_text(f"库中没有 {subject.upper()} 的记录"))
    ref = secrets.token_urlsafe(16)
    _lookups(request)[ref] = Lookup(report.subject_id, current(request).token)
    await run(
        request.app[STAFF].audit,
        current(request).staff.name,
        "lookup",
        mask_id_number(report.subject_id) if report.kind == "person" else report.subject_id,
    )
    return render(request, "lookup.html", report=_report_context(report, reveal=False), ref=ref)


@require_supervisor
async def lookup_reveal(request: web.Request) -> web.Response:
    form = await request.post()
    item = _lookups(request).get(str(form.get("ref", "")))
    if item is None or item.owner != current(request).token:
        return render(request, "lookup.html", status=410, error="查询已过期，请重新查询后再查看完整号码")
    report = await run(request.app[ELIGIBILITY].check, item.subject)
    if report is None:
        return render(request, "lookup.html", status=404, error="记录已不在库中")
    await run(
        request.app[STAFF].audit,
        current(request).staff.name,
        "reveal_id_number",
        mask_id_number(item.subject) if report.kind == "person" else item.subject,
        str(form.get("reason", "")).strip()[:200] or "资格查询",
    )
    return render(request, "lookup.html", report=_report_context(report, reveal=True), revealed=True)


# ---- intake --------------------------------------------------------------------------------------


def _intake_key() -> str:
    return "console-" + secrets.token_hex(16)


def _valid_key(key: str) -> bool:
    return key.startswith("console-") and len(key) == 40 and all(c in "0123456789abcdef" for c in key[8:])


def _draft_fields(draft: Draft) -> Dict[str, str]:
    return {
        "name": draft.name or "",
        "firm_name": draft.firm_name or "",
        "work_site": draft.work_site or "",
        "amount": draft.amount_text or (draft.amount_yuan or ""),
        "months": "、".join(draft.months) or (f"{draft.months_count}个月" if draft.months_count else ""),
        "workers": str(draft.workers or ""),
        "description": draft.description or "",
        "callback_time": draft.callback_time or "",
        "cannot_go_home": "1" if draft.cannot_go_home else "",
    }


async def intake_page(request: web.Request) -> web.Response:
    kind = "callback" if request.query.get("kind") == "callback" else "complaint"
    return render(request, "intake.html", kind=kind, key=_intake_key(), values={}, phone_hint=None, errors=[])


async def intake_prefill(request: web.Request) -> web.Response:
    """The copilot's text → a form with every detail the chat would have read from it. The full
    phone stays server-side in the draft; the page only shows it masked."""
    form = await request.post()
    text = str(form.get("text", ""))[:1000]
    kind = "callback" if form.get("kind") == "callback" else "complaint"
    key = _intake_key()
    draft = await run(request.app[INTAKE].draft_from_text, text)
    await run(request.app[COMPLAINTS].save_draft, key, draft)
    return render(
        request,
        "intake.html",
        kind=kind,
        key=key,
        values=_draft_fields(draft),
        phone_hint=mask_phone(draft.phone) if draft.phone else None,
        errors=[],
    )


async def intake_submit(request: web.Request) -> web.Response:
    form = await request.post()
    key = str(form.get("key", ""))
    kind = "callback" if form.get("kind") == "callback" else "complaint"
    if not _valid_key(key):
        return error_page(request, 400, "登记表已失效，请重新打开登记页")
    service: ComplaintService = request.app[COMPLAINTS]
    filed = await run(service.get_by_key, key)
    if filed is not None:  # submitted twice (double click, resend): the ticket it already made
        raise web.HTTPSeeOther(f"/tickets/{filed.number}?filed=1")
    saved = await run(service.load_draft, key)
    values = {
        name: str(form.get(name, "")).strip()
        for name in (
            "name",
            "firm_name",
            "work_site",
            "amount",
            "months",
            "workers",
            "description",
            "callback_time",
            "cannot_go_home",
        )
    }
    draft, errors = Draft(), []
    phone_text = str(form.get("phone", "")).strip()
    if phone_text:
        phone, problem = parse_phone(phone_text)
        if phone:
            draft.phone = phone
        else:
            errors.append(f"电话：{problem or '请输入11位手机号'}")
    else:
        draft.phone = saved.phone
    draft.name = values["name"][:64] or None
    if values["firm_name"]:
        match = await run(service.match_firm, values["firm_name"])
        draft.firm_name, draft.firm_credit_code = match if match else (values["firm_name"][:200], None)
    draft.work_site = values["work_site"][:200] or None
    if values["amount"]:
        amount = parse_amount(values["amount"])
        if amount:
            draft.amount_yuan, draft.amount_text = str(amount.yuan), values["amount"][:100]
        elif read_amount(values["amount"]):
            errors.append(f"欠薪金额：不在合理范围内（{AMOUNT_RANGE}）")
        else:
            errors.append("欠薪金额：没看懂，请写成例如“12000”或“一万二”")
    if values["months"]:
        months = parse_months(values["months"], request.app[SETTINGS].today())
        if months:
            draft.months, draft.months_count = list(months.months), months.count or (len(months.months) or None)
        else:
            errors.append("欠薪月份：没看懂，请写成例如“2022-10、2022-11”或“3个月”")
    if values["workers"]:
        workers = read_int(values["workers"])  # never int(): 5,000 digits would raise
        if headcount_plausible(workers):
            draft.workers = workers
        else:
            errors.append(f"涉及人数：请填 {HEADCOUNT_MIN} 到 {HEADCOUNT_MAX} 之间的整数")
    draft.description = mask_text(values["description"])[:2000] or None
    draft.cannot_go_home = values["cannot_go_home"] == "1"
    draft.callback_time = values["callback_time"][:100] or None
    missing = draft.missing(kind)
    labels = {"name": "姓名", "phone": "电话", "firm_name": "欠薪单位"}
    errors += [f"{labels[m]}：必填" for m in missing]
    if errors:
        if draft.phone and draft.phone != saved.phone:  # keep a newly typed phone server-side, not in the page
            await run(service.save_draft, key, Draft(phone=draft.phone))
        return render(
            request,
            "intake.html",
            status=400,
            kind=kind,
            key=key,
            values=values,
            errors=errors,
            phone_hint=mask_phone(draft.phone) if draft.phone else None,
        )
    try:
        ticket, created = await run(service.file, key, draft, kind, "console")
    except TicketError as exc:
        return render(
            request,
            "intake.html",
            status=503 if exc.retryable else 400,
            kind=kind,
            key=key,
            values=values,
            errors=[str(exc)],
            phone_hint=mask_phone(draft.phone) if draft.phone else None,
        )
    staff = current(request).staff.name
    if created:
        await run(service.update, ticket.number, staff, None, f"坐席 {staff} 在控制台登记")
    raise web.HTTPSeeOther(f"/tickets/{ticket.number}?filed=1")


# ---- the queue -----------------------------------------------------------------------------------


def _date(value: str, label: str, errors: List[str]) -> Optional[dt.date]:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(f"{label}须为 YYYY-MM-DD 格式")
        return None


async def queue_page(request: web.Request) -> web.Response:
    q = request.query
    errors: List[str] = []
    status = q.get("status") or None
    if status and status not in STATUSES:
        errors.append("状态不对")
        status = None
    kind = q.get("kind") if q.get("kind") in KIND_LABELS else None
    urgent = True if q.get("urgent") == "1" else None
    since, until = _date(q.get("since", ""), "起始日期", errors), _date(q.get("until", ""), "截止日期", errors)
    firm = (q.get("firm") or "").strip()[:100] or None
    try:
        page = max(1, int(q.get("page", "1")))
    except ValueError:
        page = 1
    tickets, total = await run(
        request.app[COMPLAINTS].list, status, kind, urgent, since, until, firm, PAGE_SIZE, (page - 1) * PAGE_SIZE
    )
    locks = await run(request.app[COMPLAINTS].locked_tickets)
    filters = {
        k: v
        for k, v in {
            "status": status,
            "kind": kind,
            "urgent": "1" if urgent else None,
            "since": q.get("since"),
            "until": q.get("until"),
            "firm": firm,
        }.items()
        if v
    }
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)

    def page_link(number: int) -> str:
        return "/queue?" + urlencode({**filters, "page": number})

    return render(
        request,
        "queue.html",
        tickets=tickets,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        page_link=page_link,
        statuses=STATUSES,
        kinds=KIND_LABELS,
        errors=errors,
        mask_text=mask_text,
        locks=locks,
        locked={lock.number for lock in locks},
    )


async def ticket_page(
    request: web.Request,
    reveal: bool = False,
    error: Optional[str] = None,
    status: int = 200,
    ticket: Optional[TicketView] = None,
    new_code: Optional[str] = None,
) -> web.Response:
    if ticket is None:
        ticket = await run(request.app[COMPLAINTS].get, request.match_info["number"])
    if ticket is None:
        return error_page(request, 404, "没有这个工单")
    locks = await run(request.app[COMPLAINTS].locked_tickets, ticket.number)
    return render(
        request,
        "ticket.html",
        status=status,
        ticket=ticket,
        kinds=KIND_LABELS,
        next_statuses=sorted(TRANSITIONS[ticket.status]),
        reveal=reveal,
        error=error,
        filed=request.query.get("filed") == "1",
        mask_text=mask_text,
        lock=locks[0] if locks else None,
        new_code=new_code,
        unlocked=request.query.get("unlocked") == "1",
    )


async def ticket_view(request: web.Request) -> web.Response:
    return await ticket_page(request)


async def ticket_update(request: web.Request) -> web.Response:
    form = await request.post()
    status = str(form.get("status", "")) or None
    note = str(form.get("note", "")).strip() or None
    try:
        await run(
            request.app[COMPLAINTS].update,
            request.match_info["number"],
            current(request).staff.name,
            status,
            mask_text(note) if note else None,
        )
    except TicketError as exc:
        return await ticket_page(request, error=str(exc), status=400)
    raise web.HTTPSeeOther(f"/tickets/{request.match_info['number']}")


@require_supervisor
async def ticket_reveal(request: web.Request) -> web.Response:
    number = normalize_ticket_number(request.match_info["number"]) or request.match_info["number"]
    ticket = await run(request.app[COMPLAINTS].get, number)
    if ticket is None:
        return error_page(request, 404, "没有这个工单")
    await run(
        request.app[STAFF].audit, current(request).staff.name, "reveal_phone", number, f"电话 {ticket.phone_masked}"
    )
    return await ticket_page(request, reveal=True, ticket=ticket)


async def ticket_code(request: web.Request) -> web.Response:
    """A new 查询码 for a caller the agent has verified: shown on this one response only, audited
    without the code; the old code stops working and a self-service lock ends."""
    try:
        code = await run(request.app[COMPLAINTS].reset_code, request.match_info["number"], current(request).staff.name)
    except TicketError as exc:
        return error_page(request, 404, str(exc))
    return await ticket_page(request, new_code=code)  # every page is sent no-store


@require_supervisor
async def ticket_unlock(request: web.Request) -> web.Response:
    try:
        await run(request.app[COMPLAINTS].unlock_status, request.match_info["number"], current(request).staff.name)
    except TicketError as exc:
        return error_page(request, 404, str(exc))
    raise web.HTTPSeeOther(f"/tickets/{request.match_info['number']}?unlocked=1")


# ---- policies ------------------------------------------------------------------------------------


async def policies_page(request: web.Request) -> web.Response:
    book = request.app[BOOK]
    query = (request.query.get("q") or "").strip()[:50]
    notices = []
    for notice in book.notices:
        resting: Dict[str, List[str]] = {}
        for benefit in notice.benefits:
            ids = {*benefit.clauses, *(c.clause for c in benefit.conditions), *(w.clause for w in benefit.windows)}
            for clause_id in ids:
                resting.setdefault(clause_id, []).append(benefit.name)
        clauses = [
            {
                "id": c.id,
                "anchor": clause_anchor(notice.key, c.id),
                "cite": c.cite,
                "section": c.section,
                "heading": c.heading,
                "text": c.text,
                "benefits": resting.get(c.id, []),
            }
            for c in notice.clauses
            if not query or any(query in s for s in (c.cite, c.section, c.heading, c.text, *resting.get(c.id, [])))
        ]
        notices.append({"notice": notice, "clauses": clauses})
    found = sum(len(n["clauses"]) for n in notices)
    return render(request, "policies.html", notices=notices, query=query, found=found)


# ---- review --------------------------------------------------------------------------------------


async def review_page(request: web.Request, error: Optional[str] = None, status: int = 200) -> web.Response:
    settings: Settings = request.app[SETTINGS]
    labelled = await run(request.app[REVIEWS].labelled_ids)
    threshold = request.app[COPILOT].threshold
    turns = await run(review_queue, settings.tracker_url, threshold, 50, 0, labelled)
    intents = domain_intents()
    return render(
        request,
        "review.html",
        status=status,
        turns=turns,
        intents=intents,
        label_of=intent_label,
        threshold=threshold,
        error=error,
        labelled=len(labelled),
    )


async def review_list(request: web.Request) -> web.Response:
    return await review_page(request)


@require_supervisor
async def review_label(request: web.Request) -> web.Response:
    form = await request.post()
    try:
        event_id = int(request.match_info["event_id"])
    except ValueError:
        return error_page(request, 404, "没有这条对话")
    turn = await run(review_turn, event_id, request.app[SETTINGS].tracker_url)
    if turn is None:
        return error_page(request, 404, "没有这条对话")
    try:
        await run(request.app[REVIEWS].label, turn, str(form.get("label", "")), current(request).staff.name)
    except ReviewError as exc:
        return await review_page(request, error=str(exc), status=400)
    raise web.HTTPSeeOther("/review")


# ---- dashboard and audit log ---------------------------------------------------------------------


async def dashboard_page(request: web.Request) -> web.Response:
    settings: Settings = request.app[SETTINGS]
    until = settings.today()
    since = until - dt.timedelta(days=29)
    per_day, per_status = await run(request.app[COMPLAINTS].counts, since, until)
    traffic = await run(traffic_stats, settings.tracker_url)
    asked = [(TOPICS[INTENT_TOPICS[i]], n) for i, n in traffic.intent_counts.items() if i in INTENT_TOPICS][:10]
    charts = {
        "per_day": column_chart(
            [(f"{d:%m-%d}", n) for d, n in per_day], f"每日新增工单（{since:%m-%d} 至 {until:%m-%d}）"
        ),
        "per_status": bar_chart(list(per_status.items()), "工单状态分布（全部）", "件"),
        "asked": bar_chart(asked, "咨询最多的政策（聊天记录）", "次"),
    }
    return render(request, "dashboard.html", charts=charts, traffic=traffic, filed=sum(n for _, n in per_day))


@require_supervisor
async def audit_page(request: web.Request) -> web.Response:
    action = (request.query.get("action") or "").strip()[:32] or None
    entries = await run(request.app[STAFF].audit_log, action, None, 200)
    return render(request, "audit.html", entries=entries, action=action)


# ---- the application -----------------------------------------------------------------------------


def create_app(settings: Optional[Settings] = None) -> web.Application:
    settings = settings or Settings.from_env()
    install_masking_filter()
    install_masking_filter(logging.getLogger("aiohttp.access"))
    app = web.Application(middlewares=[security_headers, authentication, csrf_protection], client_max_size=256 * 1024)
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
    app.router.add_static("/static/", HERE / "static", name="static", append_version=True)
    app[JINJA].globals["static"] = lambda name: str(app.router["static"].url_for(filename=name))
    routes = [
        ("GET", "/health", health),
        ("GET", "/login", login_page),
        ("POST", "/login", login_submit),
        ("POST", "/logout", logout),
        ("GET", "/", home),
        ("GET", "/favicon.ico", favicon),
        ("GET", "/copilot", copilot_page),
        ("POST", "/api/copilot", copilot_api),
        ("GET", "/api/clauses/{notice}/{clause}", clause_api),
        ("GET", "/lookup", lookup_page),
        ("POST", "/lookup", lookup_submit),
        ("POST", "/lookup/reveal", lookup_reveal),
        ("GET", "/intake", intake_page),
        ("POST", "/intake/prefill", intake_prefill),
        ("POST", "/intake", intake_submit),
        ("GET", "/queue", queue_page),
        ("GET", "/tickets/{number}", ticket_view),
        ("POST", "/tickets/{number}/update", ticket_update),
        ("POST", "/tickets/{number}/reveal", ticket_reveal),
        ("POST", "/tickets/{number}/code", ticket_code),
        ("POST", "/tickets/{number}/unlock", ticket_unlock),
        ("GET", "/policies", policies_page),
        ("GET", "/review", review_list),
        ("POST", "/review/{event_id}", review_label),
        ("GET", "/dashboard", dashboard_page),
        ("GET", "/audit", audit_page),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)
    return app
