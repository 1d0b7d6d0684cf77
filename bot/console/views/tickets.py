"""The ticket queue and one ticket: status changes, the phone for a supervisor, a new 查询码."""

from __future__ import annotations

import datetime as dt
from typing import List, Optional
from urllib.parse import urlencode

from aiohttp import web

from bot.complaints.service import STATUSES, TRANSITIONS, TicketError, TicketView, normalize_ticket_number
from bot.console.pages import KIND_LABELS, current, error_page, render, require_supervisor, run
from bot.console.settings import COMPLAINTS, STAFF
from bot.text.mask import mask_text

PAGE_SIZE = 20


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
