"""The ticket queue: filing complaints and callbacks exactly once, their lifecycle and audit trail,
and the status answer a complainant may see.

Plain Python over the SQLAlchemy store (bot.store); every method is one short unit of work with its
own session, safe to call from a thread (the action server runs it with asyncio.to_thread).

ComplaintService is put together from its parts, one module each:

    bot/complaints/tickets.py        numbers, statuses, Draft, the views of a ticket
    bot/complaints/errors.py         TicketError (and the reply when the store is down)
    bot/complaints/filing.py         drafts and filing exactly once (Filing)
    bot/complaints/status_checks.py  receipts, 查询码, status checks, wrong-code limits (StatusChecks)
    bot/complaints/service.py        this: reading, listing and updating tickets (staff)

Every name those modules define for other code can still be imported from here.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Dict, List, Optional, Tuple

from sqlalchemy import func, or_, select

from bot.clock import today as bot_today
from bot.clock import utcnow
from bot.complaints.errors import TicketError
from bot.complaints.filing import FAILPOINT_ENV, Filing, failpoint
from bot.complaints.status_checks import (
    SENDER_WRONG_LIMIT,
    STATUS_WINDOW,
    TICKET_WRONG_LIMIT,
    StatusChecks,
    new_code,
    sender_key,
)
from bot.complaints.tickets import (
    CODE_DIGITS,
    IN_PROGRESS,
    PREFIXES,
    RECEIVED,
    RESOLVED,
    STATUSES,
    SYSTEM_STAFF,
    TRANSFERRED,
    TRANSITIONS,
    URGENT_WORKERS,
    Draft,
    StatusAnswer,
    StatusCheck,
    StatusLock,
    TicketEventView,
    TicketView,
    beijing,
    locked_ticket,
    normalize_ticket_number,
    ticket_view,
    ticket_with_events,
)
from bot.store.db import ensure_migrated, session_scope
from bot.store.models import Ticket, TicketEvent

__all__ = [
    "CODE_DIGITS",
    "FAILPOINT_ENV",
    "IN_PROGRESS",
    "PREFIXES",
    "RECEIVED",
    "RESOLVED",
    "SENDER_WRONG_LIMIT",
    "STATUSES",
    "STATUS_WINDOW",
    "SYSTEM_STAFF",
    "TICKET_WRONG_LIMIT",
    "TRANSFERRED",
    "TRANSITIONS",
    "URGENT_WORKERS",
    "ComplaintService",
    "Draft",
    "StatusAnswer",
    "StatusCheck",
    "StatusLock",
    "TicketError",
    "TicketEventView",
    "TicketView",
    "beijing",
    "failpoint",
    "new_code",
    "normalize_ticket_number",
    "sender_key",
]


class ComplaintService(Filing, StatusChecks):
    """The ticket queue over one store (`url`; None: DATABASE_URL). `clock` gives the day a ticket
    is filed on (its number's date)."""

    def __init__(self, url: Optional[str] = None, clock: Callable[[], dt.date] = bot_today, auto_migrate: bool = True):
        self.url = url
        self.clock = clock
        if auto_migrate:
            ensure_migrated(url)

    # ---- reading -----------------------------------------------------------------------------

    def get(self, number: str) -> Optional[TicketView]:
        number = normalize_ticket_number(number) or number
        with session_scope(self.url) as session:
            ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one_or_none()
            return ticket_with_events(session, ticket) if ticket else None

    def get_by_key(self, key: str) -> Optional[TicketView]:
        with session_scope(self.url) as session:
            ticket = session.execute(select(Ticket).where(Ticket.idempotency_key == key)).scalar_one_or_none()
            return ticket_with_events(session, ticket) if ticket else None

    def list(
        self,
        status: Optional[str] = None,
        kind: Optional[str] = None,
        urgent: Optional[bool] = None,
        since: Optional[dt.date] = None,
        until: Optional[dt.date] = None,
        firm: Optional[str] = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Tuple[List[TicketView], int]:
        """A page of tickets, newest first, and how many match in all."""
        if status is not None and status not in STATUSES:
            raise TicketError(f"状态只能是：{'、'.join(STATUSES)}")
        conditions = []
        if status:
            conditions.append(Ticket.status == status)
        if kind:
            conditions.append(Ticket.kind == kind)
        if urgent is not None:
            conditions.append(Ticket.urgent.is_(urgent))
        if since:
            conditions.append(Ticket.filed_on >= since)
        if until:
            conditions.append(Ticket.filed_on <= until)
        if firm:
            conditions.append(or_(Ticket.firm_name.contains(firm, autoescape=True), Ticket.firm_credit_code == firm))
        with session_scope(self.url) as session:
            total = session.execute(select(func.count(Ticket.id)).where(*conditions)).scalar_one()
            rows = (
                session.execute(
                    select(Ticket)
                    .where(*conditions)
                    .order_by(Ticket.id.desc())
                    .limit(max(1, min(limit, 500)))
                    .offset(max(0, offset))
                )
                .scalars()
                .all()
            )
            return [ticket_view(t) for t in rows], total

    def count(self) -> int:
        with session_scope(self.url) as session:
            return session.execute(select(func.count(Ticket.id))).scalar_one()

    def counts(self, since: dt.date, until: dt.date) -> Tuple[List[Tuple[dt.date, int]], Dict[str, int]]:
        """Tickets filed per day from `since` to `until` (every day, zeros included), and the
        number of tickets in each status (all time): what the console's dashboard charts."""
        with session_scope(self.url) as session:
            per_day = dict(
                session.execute(
                    select(Ticket.filed_on, func.count(Ticket.id))
                    .where(Ticket.filed_on >= since, Ticket.filed_on <= until)
                    .group_by(Ticket.filed_on)
                ).all()
            )
            per_status = dict(
                session.execute(select(Ticket.status, func.count(Ticket.id)).group_by(Ticket.status)).all()
            )
        days = [since + dt.timedelta(days=i) for i in range((until - since).days + 1)]
        return [(day, per_day.get(day, 0)) for day in days], {s: per_status.get(s, 0) for s in STATUSES}

    # ---- lifecycle ---------------------------------------------------------------------------

    def update(self, number: str, staff: str, status: Optional[str] = None, note: Optional[str] = None) -> TicketView:
        """Change the status and/or add a note; each is one audit-trail entry."""
        staff = (staff or "").strip()
        note = (note or "").strip() or None
        if not staff or staff == SYSTEM_STAFF:
            raise TicketError("请填写经办人")
        if status is None and note is None:
            raise TicketError("请给出新状态或备注")
        if status is not None and status not in STATUSES:
            raise TicketError(f"状态只能是：{'、'.join(STATUSES)}")
        if note and len(note) > 2000:
            raise TicketError("备注不能超过2000字")
        number = normalize_ticket_number(number) or number
        with session_scope(self.url) as session:
            ticket = locked_ticket(session, number)
            if ticket is None:
                raise TicketError(f"没有工单 {number}")
            before = ticket.status
            if status is not None and status != before and status not in TRANSITIONS[before]:
                allowed = "、".join(sorted(TRANSITIONS[before])) or "无（已结束）"
                raise TicketError(f"工单当前为「{before}」，不能改为「{status}」；可改为：{allowed}")
            now = utcnow()
            after = status or before
            ticket.status, ticket.updated_at = after, now
            session.add(
                TicketEvent(
                    ticket_id=ticket.id, at=now, staff=staff[:64], from_status=before, to_status=after, note=note
                )
            )
            session.flush()
            return ticket_with_events(session, ticket)
