"""Filing tickets exactly once, and the drafts they are filed from (ComplaintService's part).

Exactly once: a filing carries an idempotency key made from the conversation and the form instance.
The key is unique in the table, so of two concurrent filings with the same key one inserts and
the other finds that ticket; a filing repeated after a crash finds the ticket if the first one
committed, and files it now if it did not. The draft the ticket is made from is deleted in the same
transaction that inserts the ticket.

Numbers (QX-YYYYMMDD-NNNN) are drawn at random among the unused ones of the prefix and day, so one
number tells nothing about the others.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import signal
import time
from decimal import Decimal
from typing import Callable, Optional, Tuple

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.complaints.errors import TicketError
from bot.complaints.tickets import (
    PREFIXES,
    RECEIVED,
    SYSTEM_STAFF,
    Draft,
    TicketView,
    ticket_view,
    ticket_with_events,
)
from bot.store.db import session_scope
from bot.store.models import Firm, IntakeDraft, Ticket, TicketEvent

FAILPOINT_ENV = "BOT_FAILPOINT"  # before_commit | after_commit: the process kills itself there


def failpoint(name: str) -> None:
    """Fault injection for the crash tests: with BOT_FAILPOINT=name the process dies right here
    (SIGKILL: no clean-up, no reply), as a crashed or killed action server would."""
    if os.environ.get(FAILPOINT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


class Filing:
    """Drafts, firm matching and filing; ComplaintService (bot/complaints/service.py) is made of
    this and StatusChecks (bot/complaints/status_checks.py)."""

    url: Optional[str]
    clock: Callable[[], dt.date]

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
                return ticket_with_events(session, existing), False
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
            view = ticket_view(ticket, [event])
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
