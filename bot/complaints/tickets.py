"""What a ticket is: its numbers, statuses, the draft it is filed from, and the plain views of a
ticket that leave the store (for staff, for the receipt, for the complainant's status check).

No store access here except reading one ticket's events (ticket_with_events).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Ticket, TicketEvent
from bot.text.mask import mask_phone

RECEIVED, IN_PROGRESS, RESOLVED, TRANSFERRED = "已受理", "处理中", "已办结", "已转办"
STATUSES = (RECEIVED, IN_PROGRESS, RESOLVED, TRANSFERRED)
TRANSITIONS = {
    RECEIVED: {IN_PROGRESS, TRANSFERRED},
    IN_PROGRESS: {RESOLVED, TRANSFERRED},
    RESOLVED: set(),
    TRANSFERRED: set(),
}
PREFIXES = {"complaint": "QX", "callback": "HD"}
SYSTEM_STAFF = "系统"
URGENT_WORKERS = 10
CODE_DIGITS = 6  # the 查询码

_NUMBER = re.compile(r"(?<![A-Za-z])(QX|HD)[\s-]?(\d{8})[\s-]?(\d{4})(?!\d)", re.IGNORECASE)


def beijing(moment: dt.datetime) -> str:
    return (moment + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")


def normalize_ticket_number(text: str) -> Optional[str]:
    """ "qx20230115-0007", "QX 20230115 0007" → "QX-20230115-0007"; None when there is none."""
    match = _NUMBER.search(text or "")
    if not match:
        return None
    return f"{match.group(1).upper()}-{match.group(2)}-{match.group(3)}"


@dataclass
class Draft:
    """A complaint or callback as collected so far. Money in yuan; months as "YYYY-MM"."""

    name: Optional[str] = None
    phone: Optional[str] = None
    firm_name: Optional[str] = None
    firm_credit_code: Optional[str] = None
    work_site: Optional[str] = None
    amount_yuan: Optional[str] = None  # Decimal as text, JSON-safe
    amount_text: Optional[str] = None
    months: List[str] = field(default_factory=list)
    months_count: Optional[int] = None
    workers: Optional[int] = None
    description: Optional[str] = None
    cannot_go_home: bool = False
    callback_time: Optional[str] = None
    skipped: List[str] = field(default_factory=list)  # optional fields the user chose to skip

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Draft":
        data = json.loads(text)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def urgency(self) -> Optional[str]:
        reasons = []
        if self.workers is not None and self.workers >= URGENT_WORKERS:
            reasons.append(f"涉及{self.workers}人")
        if self.cannot_go_home:
            reasons.append("无法回家过年")
        return "；".join(reasons) or None

    def missing(self, kind: str) -> List[str]:
        needed = ["phone"] if kind == "callback" else ["name", "phone", "firm_name"]
        return [name for name in needed if not getattr(self, name)]


@dataclass(frozen=True)
class TicketEventView:
    at: str  # Beijing time
    staff: str
    from_status: Optional[str]
    to_status: str
    note: Optional[str]


@dataclass(frozen=True)
class TicketView:
    number: str
    kind: str
    status: str
    urgent: bool
    urgent_reason: Optional[str]
    channel: str
    filed_on: dt.date
    created_at: str
    updated_at: str
    name: Optional[str]
    phone: str  # full: for staff only; use phone_masked anywhere else
    firm_name: Optional[str]
    firm_credit_code: Optional[str]
    work_site: Optional[str]
    amount_yuan: Optional[Decimal]
    amount_text: Optional[str]
    months: Tuple[str, ...]
    months_count: Optional[int]
    workers: Optional[int]
    description: Optional[str]
    callback_time: Optional[str]
    events: Tuple[TicketEventView, ...] = ()
    code_issued: bool = False  # a 查询码 was issued (the code itself is never kept or shown)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def latest_staff_note(self) -> Optional[TicketEventView]:
        for event in reversed(self.events):
            if event.staff != SYSTEM_STAFF and event.note:
                return event
        return None

    def to_dict(self, reveal_phone: bool = False) -> Dict[str, Any]:
        data = asdict(self)
        data["phone"] = self.phone if reveal_phone else self.phone_masked
        data["filed_on"] = self.filed_on.isoformat()
        data["amount_yuan"] = None if self.amount_yuan is None else str(self.amount_yuan)
        data["months"] = list(self.months)
        data["events"] = [asdict(e) for e in self.events]
        return data


@dataclass(frozen=True)
class StatusAnswer:
    """What a complainant who proved the ticket is theirs may see."""

    number: str
    kind: str
    status: str
    filed_on: dt.date
    updated_at: str
    latest_note: Optional[str]


@dataclass(frozen=True)
class StatusCheck:
    """The outcome of a status check: the answer for the right number and code; `locked` when too
    many wrong codes were given (for this ticket, or by this sender) and nothing was checked.
    Neither says whether the ticket exists or how close a wrong code was."""

    answer: Optional[StatusAnswer] = None
    locked: bool = False


@dataclass(frozen=True)
class StatusLock:
    """A ticket locked for self-service: for the console's alert."""

    number: str
    wrong: int  # wrong codes within the window
    last_at: str  # Beijing time of the latest


def ticket_view(ticket: Ticket, events: Sequence[TicketEvent] = ()) -> TicketView:
    """The ticket row (and its audit trail) as plain data, times in Beijing time."""
    return TicketView(
        number=ticket.number,
        kind=ticket.kind,
        status=ticket.status,
        urgent=ticket.urgent,
        urgent_reason=ticket.urgent_reason,
        channel=ticket.channel,
        filed_on=ticket.filed_on,
        created_at=beijing(ticket.created_at),
        updated_at=beijing(ticket.updated_at),
        name=ticket.name,
        phone=ticket.phone,
        firm_name=ticket.firm_name,
        firm_credit_code=ticket.firm_credit_code,
        work_site=ticket.work_site,
        amount_yuan=ticket.amount_yuan,
        amount_text=ticket.amount_text,
        months=tuple(m for m in (ticket.months or "").split(",") if m),
        months_count=ticket.months_count,
        workers=ticket.workers,
        description=ticket.description,
        callback_time=ticket.callback_time,
        events=tuple(TicketEventView(beijing(e.at), e.staff, e.from_status, e.to_status, e.note) for e in events),
        code_issued=ticket.access_code_hash is not None,
    )


def ticket_with_events(session: Session, ticket: Ticket) -> TicketView:
    """ticket_view with the ticket's audit trail, read in `session`."""
    events = (
        session.execute(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id))
        .scalars()
        .all()
    )
    return ticket_view(ticket, events)


def locked_ticket(session: Session, number: str) -> Optional[Ticket]:
    """The ticket `number`, its row locked for this transaction (PostgreSQL; SQLite's write lock
    serializes anyway); None if there is none."""
    return session.execute(select(Ticket).where(Ticket.number == number).with_for_update()).scalar_one_or_none()
