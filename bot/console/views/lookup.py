"""The eligibility lookup of a person or a firm; the full ID number only for a supervisor, audited."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Dict

from aiohttp import web

from bot.console.pages import current, render, require_supervisor, run
from bot.console.settings import ELIGIBILITY, LOOKUPS, STAFF
from bot.eligibility.engine import STATUS_MARKS
from bot.eligibility.service import SubjectError
from bot.text.mask import mask_id_number, mask_name, mask_text

LOOKUP_TTL = 30 * 60  # seconds a lookup can be revealed after it was made

DECISION_LABELS = {"eligible": "符合", "not_eligible": "不符合", "unknown": "待核实"}


@dataclass
class Lookup:
    """An eligibility lookup kept server-side, so the full number never goes back to the page."""

    subject: str
    owner: str  # the session token's holder
    at: float = field(default_factory=time.monotonic)


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
