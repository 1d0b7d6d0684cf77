"""Complaint and callback intake: the copilot's text pre-fills the form; the form is read and
checked by the one complaint draft model (bot/complaints/draft.py) the chat uses too."""

from __future__ import annotations

import secrets

from aiohttp import web

from bot.complaints.draft import BY_FORM_NAME, TABLE, form_errors, form_values, merge, read_form
from bot.complaints.service import ComplaintService, Draft, TicketError
from bot.console.pages import current, error_page, render, run
from bot.console.settings import COMPLAINTS, INTAKE, SETTINGS
from bot.text.mask import mask_phone

BOXES = [spec.form_name for spec in TABLE.values() if spec.key != "phone"]


def _intake_key() -> str:
    return "console-" + secrets.token_hex(16)


def _valid_key(key: str) -> bool:
    return key.startswith("console-") and len(key) == 40 and all(c in "0123456789abcdef" for c in key[8:])


def _form(request: web.Request, kind: str, key: str, values, errors, phone=None, status=200) -> web.Response:
    """The intake page: its boxes labelled and sized by the draft model; the phone only masked."""
    return render(
        request,
        "intake.html",
        status=status,
        kind=kind,
        key=key,
        values=values,
        errors=errors,
        phone_hint=mask_phone(phone) if phone else None,
        boxes=BY_FORM_NAME,
    )


async def intake_page(request: web.Request) -> web.Response:
    kind = "callback" if request.query.get("kind") == "callback" else "complaint"
    return _form(request, kind, _intake_key(), {}, [])


async def intake_prefill(request: web.Request) -> web.Response:
    """The copilot's text → a form with every detail the chat would have read from it. The full
    phone stays server-side in the draft; the page only shows it masked."""
    form = await request.post()
    text = str(form.get("text", ""))[:1000]
    kind = "callback" if form.get("kind") == "callback" else "complaint"
    key = _intake_key()
    draft = await run(request.app[INTAKE].draft_from_text, text)
    await run(request.app[COMPLAINTS].save_draft, key, draft)
    return _form(request, kind, key, form_values(draft), [], draft.phone)


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
    # What the page shows again on an error: every box but the phone, which never goes back to it.
    values = {name: str(form.get(name, "")).strip() for name in (*BOXES, "cannot_go_home")}
    phone_text = str(form.get("phone", "")).strip()
    reading = read_form({**values, "phone": phone_text}, request.app[SETTINGS].today())
    draft = Draft(phone=None if phone_text else saved.phone)  # an empty box keeps the phone read before
    await run(merge, draft, reading.values, service.match_firm, reading.said, values["cannot_go_home"] == "1")
    errors = form_errors(reading.problems, draft.missing(kind))
    if errors:
        if draft.phone and draft.phone != saved.phone:  # keep a newly typed phone server-side, not in the page
            await run(service.save_draft, key, Draft(phone=draft.phone))
        return _form(request, kind, key, values, errors, draft.phone, status=400)
    try:
        ticket, created = await run(service.file, key, draft, kind, "console")
    except TicketError as exc:
        return _form(request, kind, key, values, [str(exc)], draft.phone, status=503 if exc.retryable else 400)
    staff = current(request).staff.name
    if created:
        await run(service.update, ticket.number, staff, None, f"坐席 {staff} 在控制台登记")
    raise web.HTTPSeeOther(f"/tickets/{ticket.number}?filed=1")
