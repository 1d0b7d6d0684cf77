"""Who may see a ticket (ComplaintService's part): the 查询码 given once with the receipt, the
status check, and the limits on wrong codes.

The status is shown only for a ticket number with its 查询码: six random digits issued once, in the
receipt, and stored only as a salted hash. Wrong codes are counted here, in the store, per ticket
number and per chat sender: 5 wrong for a ticket in 24 hours lock it for self-service (audited;
staff unlock it or issue a new code), 10 wrong from one sender in 24 hours refuse that sender.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from functools import lru_cache
from typing import List, Optional, Tuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.complaints.errors import TicketError
from bot.complaints.tickets import (
    CODE_DIGITS,
    SYSTEM_STAFF,
    StatusAnswer,
    StatusCheck,
    StatusLock,
    TicketView,
    beijing,
    locked_ticket,
    normalize_ticket_number,
    ticket_with_events,
)
from bot.hashing import hash_secret, verify_secret
from bot.store.db import session_scope
from bot.store.models import AuditEntry, StatusAttempt, Ticket

STATUS_WINDOW = dt.timedelta(hours=24)
TICKET_WRONG_LIMIT = 5  # wrong codes for one ticket number within the window: locked for self-service
SENDER_WRONG_LIMIT = 10  # wrong codes from one chat sender within the window, any tickets: refused


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


@lru_cache(maxsize=1)
def dummy_code_hash() -> str:
    """Checked when there is no ticket or no code, so that takes as long as a wrong code."""
    return hash_secret(new_code())


def sender_key(sender_id: str) -> str:
    """How a chat sender is kept in status_attempts: a hash, never the id (a WeChat openid)."""
    return hashlib.sha256(f"status-sender|{sender_id}".encode()).hexdigest()


class StatusChecks:
    """Receipts, 查询码 and status checks; ComplaintService (bot/complaints/service.py) is made of
    this and Filing (bot/complaints/filing.py)."""

    url: Optional[str]

    def receipt_for(self, key: str, number: str) -> Tuple[Optional[TicketView], Optional[str]]:
        """The ticket the form `key` filed, for its receipt, with its 查询码 the first time only (the
        code is made now and only its hash kept: a receipt asked for again has no code). Nothing
        unless `key` filed `number`: a tracker naming somebody else's ticket gets no receipt."""
        number = normalize_ticket_number(number or "")
        if not key or number is None:
            return None, None
        with session_scope(self.url) as session:
            ticket = session.execute(select(Ticket).where(Ticket.idempotency_key == key)).scalar_one_or_none()
            if ticket is None or ticket.number != number:
                return None, None
            code = None
            if ticket.access_code_hash is None:
                code = new_code()
                claimed = session.execute(
                    update(Ticket)
                    .where(Ticket.id == ticket.id, Ticket.access_code_hash.is_(None))
                    .values(access_code_hash=hash_secret(code))
                    .execution_options(synchronize_session=False)
                ).rowcount
                if claimed != 1:  # a concurrent receipt issued it first
                    code = None
                session.expire(ticket)
            return ticket_with_events(session, ticket), code

    def reset_code(self, number: str, staff: str) -> str:
        """A new 查询码 for a caller staff have verified, returned to be told to them once. The old
        code stops working and the ticket's wrong tries no longer count (so a lock ends); audited,
        without the code."""
        staff = (staff or "").strip()
        if not staff or staff == SYSTEM_STAFF:
            raise TicketError("请填写经办人")
        number = normalize_ticket_number(number) or number
        code = new_code()
        with session_scope(self.url) as session:
            ticket = locked_ticket(session, number)
            if ticket is None:
                raise TicketError(f"没有工单 {number}")
            ticket.access_code_hash = hash_secret(code)
            cleared = self._clear_wrong(session, number)
            session.add(
                AuditEntry(
                    at=utcnow(),
                    staff=staff[:64],
                    action="code_reset",
                    subject=number,
                    detail=f"已重新发放查询码（查询码不记录），清除{cleared}次错误查询",
                )
            )
        return code

    def unlock_status(self, number: str, staff: str) -> int:
        """A supervisor ends a self-service lock: the ticket's wrong tries no longer count. Audited;
        returns how many were cleared."""
        number = normalize_ticket_number(number) or number
        with session_scope(self.url) as session:
            if session.execute(select(Ticket.id).where(Ticket.number == number)).first() is None:
                raise TicketError(f"没有工单 {number}")
            cleared = self._clear_wrong(session, number)
            session.add(
                AuditEntry(
                    at=utcnow(),
                    staff=(staff or "?")[:64],
                    action="status_unlocked",
                    subject=number,
                    detail=f"解除自助查询锁定，清除{cleared}次错误查询",
                )
            )
        return cleared

    @staticmethod
    def _clear_wrong(session: Session, number: str) -> int:
        return (
            session.execute(
                update(StatusAttempt)
                .where(
                    StatusAttempt.ticket_number == number, StatusAttempt.ok.is_(False), StatusAttempt.cleared.is_(False)
                )
                .values(cleared=True)
                .execution_options(synchronize_session=False)
            ).rowcount
            or 0
        )

    def locked_tickets(self, number: Optional[str] = None) -> List[StatusLock]:
        """Tickets locked for self-service now (5 wrong codes within 24 hours), newest lock first;
        only tickets that exist. With `number`, that ticket's lock or nothing."""
        since = utcnow() - STATUS_WINDOW
        wrong, latest = func.count(StatusAttempt.id), func.max(StatusAttempt.at)
        query = (
            select(StatusAttempt.ticket_number, wrong, latest)
            .join(Ticket, Ticket.number == StatusAttempt.ticket_number)
            .where(StatusAttempt.ok.is_(False), StatusAttempt.cleared.is_(False), StatusAttempt.at >= since)
            .group_by(StatusAttempt.ticket_number)
            .having(wrong >= TICKET_WRONG_LIMIT)
            .order_by(latest.desc())
        )
        if number is not None:
            query = query.where(StatusAttempt.ticket_number == (normalize_ticket_number(number) or number))
        with session_scope(self.url) as session:
            return [StatusLock(n, count, beijing(at)) for n, count, at in session.execute(query).all()]

    def status_for(self, number: str, code: str, sender: str) -> StatusCheck:
        """The status, only for the right ticket number with its 查询码. A wrong code, a ticket that
        does not exist or has no code read alike (no answer). Every check is recorded first, so
        concurrent checks count each other; while the ticket or the sender is over its limit of
        wrong codes within 24 hours, nothing is checked (locked)."""
        number = normalize_ticket_number(number or "")
        digits = re.sub(r"\D", "", code or "")
        if number is None or len(digits) != CODE_DIGITS:
            return StatusCheck()
        now, who = utcnow(), sender_key(sender or "")
        since = now - STATUS_WINDOW
        with session_scope(self.url) as session:
            # The ticket's row lock (PostgreSQL) and the insert (SQLite's write lock) serialize checks.
            ticket = locked_ticket(session, number)
            attempt = StatusAttempt(ticket_number=number, sender_key=who, at=now, ok=False, cleared=False)
            session.add(attempt)
            session.flush()
            earlier = (StatusAttempt.id != attempt.id, StatusAttempt.ok.is_(False), StatusAttempt.at >= since)
            ticket_wrong = session.execute(
                select(func.count(StatusAttempt.id)).where(
                    *earlier, StatusAttempt.ticket_number == number, StatusAttempt.cleared.is_(False)
                )
            ).scalar_one()
            sender_wrong = session.execute(
                select(func.count(StatusAttempt.id)).where(*earlier, StatusAttempt.sender_key == who)
            ).scalar_one()
            if ticket_wrong >= TICKET_WRONG_LIMIT or sender_wrong >= SENDER_WRONG_LIMIT:
                session.delete(attempt)  # refused, not checked: not a try
                return StatusCheck(locked=True)
            stored = ticket.access_code_hash if ticket is not None else None
            right = verify_secret(digits, stored or dummy_code_hash()) and stored is not None
            if right:
                attempt.ok = True
                session.flush()
                self._clear_wrong(session, number)
                view = ticket_with_events(session, ticket)
                latest = view.latest_staff_note
                return StatusCheck(
                    StatusAnswer(
                        view.number,
                        view.kind,
                        view.status,
                        view.filed_on,
                        view.updated_at,
                        latest.note if latest else None,
                    )
                )
            ticket_wrong, sender_wrong = ticket_wrong + 1, sender_wrong + 1
            if ticket is not None and ticket_wrong == TICKET_WRONG_LIMIT:
                session.add(
                    AuditEntry(
                        at=now,
                        staff=SYSTEM_STAFF,
                        action="status_locked",
                        subject=number,
                        detail=f"24小时内{ticket_wrong}次错误查询码，自助查询已锁定",
                    )
                )
            if sender_wrong == SENDER_WRONG_LIMIT:
                session.add(
                    AuditEntry(
                        at=now,
                        staff=SYSTEM_STAFF,
                        action="status_sender_locked",
                        subject=f"会话 {who[:12]}",
                        detail=f"24小时内{sender_wrong}次错误查询码（最近：{number}），该会话的自助查询已暂停",
                    )
                )
            return StatusCheck(locked=ticket_wrong >= TICKET_WRONG_LIMIT or sender_wrong >= SENDER_WRONG_LIMIT)
