"""The ticket queue: filing complaints and callbacks exactly once, their lifecycle and audit trail,
and the status answer a complainant may see.

Plain Python over the SQLAlchemy store (bot.store); every method is one short unit of work with its
own session, safe to call from a thread (the action server runs it with asyncio.to_thread).

Exactly once: a filing carries an idempotency key made from the conversation and the form instance.
The key is unique in the table, so of two concurrent filings with the same key one inserts and
the other finds that ticket; a filing repeated after a crash finds the ticket if the first one
committed, and files it now if it did not. The draft the ticket is made from is deleted in the same
transaction that inserts the ticket.

Numbers (QX-YYYYMMDD-NNNN) are drawn at random among the unused ones of the prefix and day, so one
number tells nothing about the others. The status is shown only for a ticket number with its
查询码: six random digits issued once, in the receipt, and stored only as a salted hash. Wrong codes
are counted here, in the store, per ticket number and per chat sender: 5 wrong for a ticket in 24
hours lock it for self-service (audited; staff unlock it or issue a new code), 10 wrong from one
sender in 24 hours refuse that sender.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import signal
import time
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from bot.clock import today as bot_today
from bot.hashing import hash_secret, verify_secret
from bot.store.db import ensure_migrated, session_scope
from bot.store.models import AuditEntry, Firm, IntakeDraft, StatusAttempt, Ticket, TicketEvent
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
FAILPOINT_ENV = "BOT_FAILPOINT"  # before_commit | after_commit: the process kills itself there
CODE_DIGITS = 6  # the 查询码
STATUS_WINDOW = dt.timedelta(hours=24)
TICKET_WRONG_LIMIT = 5  # wrong codes for one ticket number within the window: locked for self-service
SENDER_WRONG_LIMIT = 10  # wrong codes from one chat sender within the window, any tickets: refused

_NUMBER = re.compile(r"(?<![A-Za-z])(QX|HD)[\s-]?(\d{8})[\s-]?(\d{4})(?!\d)", re.IGNORECASE)


class TicketError(ValueError):
    """A request the queue cannot carry out; the message is Chinese, for people. `retryable`: the
    same request may succeed later (the store was busy), so the user should be asked again."""

    def __init__(self, message: str, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def beijing(moment: dt.datetime) -> str:
    return (moment + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")


def normalize_ticket_number(text: str) -> Optional[str]:
    """ "qx20230115-0007", "QX 20230115 0007" → "QX-20230115-0007"; None when there is none."""
    match = _NUMBER.search(text or "")
    if not match:
        return None
    return f"{match.group(1).upper()}-{match.group(2)}-{match.group(3)}"


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


@lru_cache(maxsize=1)
def _dummy_code_hash() -> str:
    """Checked when there is no ticket or no code, so that takes as long as a wrong code."""
    return hash_secret(new_code())


def sender_key(sender_id: str) -> str:
    """How a chat sender is kept in status_attempts: a hash, never the id (a WeChat openid)."""
    return hashlib.sha256(f"status-sender|{sender_id}".encode()).hexdigest()


def failpoint(name: str) -> None:
    """Fault injection for the crash tests: with BOT_FAILPOINT=name the process dies right here
    (SIGKILL: no clean-up, no reply), as a crashed or killed action server would."""
    if os.environ.get(FAILPOINT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


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


def _view(ticket: Ticket, events: Sequence[TicketEvent] = ()) -> TicketView:
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


class ComplaintService:
    def __init__(self, url: Optional[str] = None, clock: Callable[[], dt.date] = bot_today, auto_migrate: bool = True):
        self.url = url
        self.clock = clock
        if auto_migrate:
            ensure_migrated(url)

    # ---- drafts ------------------------------------------------------------------------------

    def load_draft(self, key: str) -> Draft:
        with session_scope(self.url) as session:
            row = session.get(IntakeDraft, key)
            return Draft.from_json(row.fields) if row else Draft()

    def save_draft(self, key: str, draft: Draft) -> None:
        for attempt in range(5):
            try:
                with session_scope(self.url) as session:
                    row = session.get(IntakeDraft, key)
                    if row is None:
                        session.add(IntakeDraft(key=key, fields=draft.to_json(), updated_at=utcnow()))
                    else:
                        row.fields, row.updated_at = draft.to_json(), utcnow()
                return
            except IntegrityError:  # the same draft saved concurrently: save over it
                continue
        raise TicketError("草稿保存失败，请稍后再试")

    def discard_draft(self, key: str) -> None:
        with session_scope(self.url) as session:
            session.execute(delete(IntakeDraft).where(IntakeDraft.key == key))

    def purge_drafts(self, older_than: dt.timedelta = dt.timedelta(days=30)) -> int:
        with session_scope(self.url) as session:
            result = session.execute(delete(IntakeDraft).where(IntakeDraft.updated_at < utcnow() - older_than))
            return result.rowcount or 0

    # ---- firms -------------------------------------------------------------------------------

    def match_firm(self, name: str) -> Optional[Tuple[str, str]]:
        """(registered name, credit code) when exactly one firm matches the typed name."""
        name = (name or "").strip()
        if len(name) < 2:
            return None
        with session_scope(self.url) as session:
            exact = session.execute(select(Firm.name, Firm.credit_code).where(Firm.name == name)).first()
            if exact:
                return exact[0], exact[1]
            rows = session.execute(
                select(Firm.name, Firm.credit_code).where(Firm.name.contains(name, autoescape=True)).limit(2)
            ).all()
            return (rows[0][0], rows[0][1]) if len(rows) == 1 else None

    # ---- filing ------------------------------------------------------------------------------

    def file(
        self, key: str, draft: Optional[Draft] = None, kind: str = "complaint", channel: str = "chat"
    ) -> Tuple[TicketView, bool]:
        """File the ticket for `key` once: (ticket, True) when made now, (ticket, False) when it
        already existed. Without `draft`, the saved draft for `key` is used (and deleted)."""
        if kind not in PREFIXES:
            raise TicketError(f"未知的工单类型：{kind}")
        if not key or len(key) > 64:
            raise TicketError("缺少有效的幂等键")
        delay = 0.02
        for attempt in range(8):
            try:
                return self._file_once(key, draft, kind, channel)
            except IntegrityError:
                continue  # a concurrent filing with the same key (or number) won: look again
            except OperationalError as exc:  # SQLite busy beyond its timeout
                if "locked" not in str(exc).lower():
                    raise
                time.sleep(delay)
                delay *= 2
        raise TicketError("系统繁忙，工单暂未登记，请稍后再回复“确认”", retryable=True)

    def _file_once(self, key: str, draft: Optional[Draft], kind: str, channel: str) -> Tuple[TicketView, bool]:
        with session_scope(self.url) as session:
            existing = session.execute(select(Ticket).where(Ticket.idempotency_key == key)).scalar_one_or_none()
            if existing is not None:
                return self._with_events(session, existing), False
            if draft is None:
                row = session.get(IntakeDraft, key)
                if row is None:
                    raise TicketError("没有找到待提交的登记内容")
                draft = Draft.from_json(row.fields)
            missing = draft.missing(kind)
            if missing:
                raise TicketError("登记内容不完整，缺少：" + "、".join(missing))
            day = self.clock()
            now = utcnow()
            number = self._new_number(session, PREFIXES[kind], day)
            reason = draft.urgency() if kind == "complaint" else None
            ticket = Ticket(
                number=number,
                idempotency_key=key,
                kind=kind,
                status=RECEIVED,
                urgent=reason is not None,
                urgent_reason=reason,
                channel=channel,
                filed_on=day,
                created_at=now,
                updated_at=now,
                name=draft.name,
                phone=draft.phone,
                firm_name=draft.firm_name,
                firm_credit_code=draft.firm_credit_code,
                work_site=draft.work_site,
                amount_yuan=Decimal(draft.amount_yuan).quantize(Decimal("0.01")) if draft.amount_yuan else None,
                amount_text=draft.amount_text,
                months=",".join(draft.months) or None,
                months_count=draft.months_count or (len(draft.months) or None),
                workers=draft.workers,
                description=draft.description,
                callback_time=draft.callback_time,
            )
            session.add(ticket)
            session.flush()
            event = TicketEvent(
                ticket_id=ticket.id,
                at=now,
                staff=SYSTEM_STAFF,
                from_status=None,
                to_status=RECEIVED,
                note=f"经{channel}登记" + (f"，紧急：{reason}" if reason else ""),
            )
            session.add(event)
            session.execute(delete(IntakeDraft).where(IntakeDraft.key == key))
            session.flush()
            view = _view(ticket, [event])
            failpoint("before_commit")
        failpoint("after_commit")
        return view, True

    @staticmethod
    def _new_number(session: Session, prefix: str, day: dt.date) -> str:
        """QX-YYYYMMDD-NNNN, NNNN drawn at random among the numbers of the prefix and day not used yet:
        not guessable from another ticket's number. Two filings drawing the same number collide on
        the unique constraint, and the losing one is retried (file())."""
        stem = f"{prefix}-{day:%Y%m%d}-"
        used = set(
            session.execute(
                select(Ticket.number).where(Ticket.number > stem, Ticket.number < stem[:-1] + ".")
            ).scalars()
        )
        free = [n for n in range(1, 10000) if f"{stem}{n:04d}" not in used]
        if not free:
            raise TicketError("当日工单编号已用完，请联系管理员")
        return f"{stem}{secrets.choice(free):04d}"

    # ---- reading -----------------------------------------------------------------------------

    @staticmethod
    def _with_events(session: Session, ticket: Ticket) -> TicketView:
        events = (
            session.execute(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id))
            .scalars()
            .all()
        )
        return _view(ticket, events)

    def get(self, number: str) -> Optional[TicketView]:
        number = normalize_ticket_number(number) or number
        with session_scope(self.url) as session:
            ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one_or_none()
            return self._with_events(session, ticket) if ticket else None

    def get_by_key(self, key: str) -> Optional[TicketView]:
        with session_scope(self.url) as session:
            ticket = session.execute(select(Ticket).where(Ticket.idempotency_key == key)).scalar_one_or_none()
            return self._with_events(session, ticket) if ticket else None

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
            return [_view(t) for t in rows], total

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
            ticket = session.execute(
                select(Ticket).where(Ticket.number == number).with_for_update()
            ).scalar_one_or_none()
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
            return self._with_events(session, ticket)

    # ---- what the complainant may see --------------------------------------------------------

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
            return self._with_events(session, ticket), code

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
            ticket = session.execute(
                select(Ticket).where(Ticket.number == number).with_for_update()
            ).scalar_one_or_none()
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
            ticket = session.execute(
                select(Ticket).where(Ticket.number == number).with_for_update()
            ).scalar_one_or_none()
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
            right = verify_secret(digits, stored or _dummy_code_hash()) and stored is not None
            if right:
                attempt.ok = True
                session.flush()
                self._clear_wrong(session, number)
                view = self._with_events(session, ticket)
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
