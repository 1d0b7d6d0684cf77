"""Staff accounts for the console: scrypt password hashes, server-side sessions, failed-login rate
limiting and the audit log. Plain Python over the store; each call is one short session.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from bot.clock import utcnow
from bot.hashing import hash_secret as hash_password
from bot.hashing import verify_secret as verify_password
from bot.store.db import ensure_migrated, session_scope
from bot.store.models import AuditEntry, LoginAttempt, Staff, StaffSession

ROLES = ("agent", "supervisor")
ROLE_LABELS = {"agent": "坐席", "supervisor": "班长"}
MIN_PASSWORD = 8
SESSION_LIFETIME = dt.timedelta(hours=12)  # one working shift
# Failed log-ins: this many for one account name or one client address within the window lock
# further tries out until the window has passed.
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)


class StaffError(ValueError):
    """A request about accounts that cannot be carried out; the message is Chinese, for people."""


class LoginLocked(StaffError):
    """Too many failed log-ins; `retry_after` seconds until the next try is allowed."""

    def __init__(self, retry_after: int):
        minutes = max(1, (retry_after + 59) // 60)
        super().__init__(f"登录失败次数过多，请 {minutes} 分钟后再试")
        self.retry_after = retry_after


# A hash to check against when the account does not exist, so a wrong name takes as long as a
# wrong password and the timing does not tell which names exist.
_DUMMY_HASH = hash_password(secrets.token_hex(8))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class StaffMember:
    id: int
    name: str
    role: str

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


@dataclass(frozen=True)
class LoginSession:
    token: str  # for the cookie; only its hash is stored
    csrf_token: str
    staff: StaffMember


@dataclass(frozen=True)
class AuditView:
    at: dt.datetime
    staff: str
    action: str
    subject: Optional[str]
    detail: Optional[str]


class StaffService:
    def __init__(self, url: Optional[str] = None, auto_migrate: bool = True):
        self.url = url
        if auto_migrate:
            ensure_migrated(url)

    # ---- accounts ----------------------------------------------------------------------------

    def add(self, name: str, role: str, password: str) -> StaffMember:
        name = (name or "").strip()
        if not name or len(name) > 64:
            raise StaffError("姓名不能为空，且不超过64个字符")
        if role not in ROLES:
            raise StaffError(f"角色只能是：{'、'.join(ROLES)}")
        if len(password or "") < MIN_PASSWORD:
            raise StaffError(f"密码至少 {MIN_PASSWORD} 位")
        try:
            with session_scope(self.url) as session:
                staff = Staff(
                    name=name, role=role, password_hash=hash_password(password), active=True, created_at=utcnow()
                )
                session.add(staff)
                session.flush()
                member = StaffMember(staff.id, staff.name, staff.role)
                session.add(
                    AuditEntry(
                        at=utcnow(),
                        staff="系统",
                        action="staff_added",
                        subject=name,
                        detail=f"角色：{ROLE_LABELS[role]}",
                    )
                )
                return member
        except IntegrityError:
            raise StaffError(f"已有名为「{name}」的账号") from None

    def members(self) -> List[StaffMember]:
        with session_scope(self.url) as session:
            rows = session.execute(select(Staff).order_by(Staff.id)).scalars().all()
            return [StaffMember(r.id, r.name, r.role) for r in rows]

    def count(self) -> int:
        with session_scope(self.url) as session:
            return session.execute(select(func.count(Staff.id))).scalar_one()

    # ---- logging in and out ------------------------------------------------------------------

    def _locked_for(self, session, name: str, remote: str, now: dt.datetime) -> int:
        """Seconds until another try is allowed (0: allowed now)."""
        since = now - FAILURE_WINDOW
        for column, value in ((LoginAttempt.name, name), (LoginAttempt.remote, remote)):
            rows = (
                session.execute(
                    select(LoginAttempt.at)
                    .where(column == value, LoginAttempt.at >= since)
                    .order_by(LoginAttempt.at.desc())
                    .limit(MAX_FAILURES)
                )
                .scalars()
                .all()
            )
            if len(rows) >= MAX_FAILURES:
                return max(1, int((rows[-1] + FAILURE_WINDOW - now).total_seconds()))
        return 0

    def login(self, name: str, password: str, remote: str) -> LoginSession:
        """A new session for the right name and password; StaffError (or LoginLocked) otherwise.
        The message never tells whether the name or the password was wrong."""
        name, remote, now = (name or "").strip()[:64], (remote or "?")[:64], utcnow()
        with session_scope(self.url) as session:
            session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - FAILURE_WINDOW))  # spent
            wait = self._locked_for(session, name, remote, now)
            if wait:
                raise LoginLocked(wait)
            staff = session.execute(select(Staff).where(Staff.name == name)).scalar_one_or_none()
            good = verify_password(password or "", staff.password_hash if staff else _DUMMY_HASH)
            if not (good and staff and staff.active):
                session.add(LoginAttempt(name=name, remote=remote, at=now))
                session.add(AuditEntry(at=now, staff=name or "?", action="login_failed", subject=remote))
                failed = True
            else:
                failed = False
                session.execute(delete(LoginAttempt).where(LoginAttempt.name == name))
                session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
                token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
                session.add(
                    StaffSession(
                        token_hash=_token_hash(token),
                        staff_id=staff.id,
                        csrf_token=csrf,
                        created_at=now,
                        expires_at=now + SESSION_LIFETIME,
                    )
                )
                session.add(AuditEntry(at=now, staff=staff.name, action="login", subject=remote))
                result = LoginSession(token, csrf, StaffMember(staff.id, staff.name, staff.role))
        if failed:
            raise StaffError("账号或密码错误")
        return result

    def session(self, token: Optional[str]) -> Optional[LoginSession]:
        if not token or len(token) > 200:
            return None
        with session_scope(self.url) as session:
            row = session.execute(
                select(StaffSession, Staff)
                .join(Staff, Staff.id == StaffSession.staff_id)
                .where(StaffSession.token_hash == _token_hash(token))
            ).first()
            if row is None:
                return None
            login, staff = row
            if login.expires_at < utcnow() or not staff.active:
                return None
            return LoginSession(token, login.csrf_token, StaffMember(staff.id, staff.name, staff.role))

    def logout(self, token: str) -> None:
        with session_scope(self.url) as session:
            row = session.execute(
                select(StaffSession, Staff)
                .join(Staff, Staff.id == StaffSession.staff_id)
                .where(StaffSession.token_hash == _token_hash(token))
            ).first()
            if row is None:
                return
            session.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))
            session.add(AuditEntry(at=utcnow(), staff=row[1].name, action="logout"))

    # ---- the audit log -----------------------------------------------------------------------

    def audit(self, staff: str, action: str, subject: Optional[str] = None, detail: Optional[str] = None) -> None:
        with session_scope(self.url) as session:
            session.add(
                AuditEntry(
                    at=utcnow(),
                    staff=staff[:64],
                    action=action[:32],
                    subject=(subject or None) and subject[:200],
                    detail=(detail or None) and detail[:1000],
                )
            )

    def audit_log(self, action: Optional[str] = None, staff: Optional[str] = None, limit: int = 100) -> List[AuditView]:
        conditions = []
        if action:
            conditions.append(AuditEntry.action == action)
        if staff:
            conditions.append(AuditEntry.staff == staff)
        with session_scope(self.url) as session:
            rows = (
                session.execute(select(AuditEntry).where(*conditions).order_by(AuditEntry.id.desc()).limit(limit))
                .scalars()
                .all()
            )
            return [AuditView(r.at, r.staff, r.action, r.subject, r.detail) for r in rows]
