"""Staff accounts: password hashing, sessions, rate limiting, the audit log."""

import datetime as dt

import pytest
from sqlalchemy import select, update

from bot.console import staff as staff_module
from bot.console.staff import LoginLocked, StaffError, StaffService, hash_password, verify_password
from bot.store.db import session_scope
from bot.store.models import LoginAttempt, Staff, StaffSession


def test_passwords_are_salted_scrypt_hashes():
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("scrypt$") and first != second  # a new salt each time
    assert verify_password("correct horse", first) and verify_password("correct horse", second)
    assert not verify_password("correct hors", first)
    assert not verify_password("correct horse", "garbage") and not verify_password("x", "bcrypt$1$2$3$4$5")


def test_accounts_are_validated(store_url):
    service = StaffService(store_url)
    service.add("王班长", "supervisor", "long-enough")
    with pytest.raises(StaffError, match="已有名为「王班长」的账号"):
        service.add(" 王班长 ", "agent", "long-enough")
    with pytest.raises(StaffError, match="密码至少 8 位"):
        service.add("李四", "agent", "short")
    with pytest.raises(StaffError, match="角色只能是"):
        service.add("李四", "admin", "long-enough")
    assert [(m.name, m.role) for m in service.members()] == [("王班长", "supervisor")]
    with session_scope(store_url) as session:  # the password itself is stored nowhere
        assert "long-enough" not in session.execute(select(Staff.password_hash)).scalar_one()


def test_a_session_is_stored_as_a_hash_and_expires(store_url):
    service = StaffService(store_url)
    service.add("李坐席", "agent", "agent-pass-1")
    login = service.login("李坐席", "agent-pass-1", "127.0.0.1")
    assert service.session(login.token).staff.name == "李坐席"
    assert service.session(login.token).csrf_token == login.csrf_token
    with session_scope(store_url) as session:
        stored = session.execute(select(StaffSession.token_hash)).scalar_one()
        assert stored != login.token and len(stored) == 64
        session.execute(update(StaffSession).values(expires_at=dt.datetime(2000, 1, 1)))
    assert service.session(login.token) is None
    assert service.session("made-up") is None and service.session(None) is None


def test_deactivated_accounts_cannot_log_in_or_keep_their_session(store_url):
    service = StaffService(store_url)
    service.add("李坐席", "agent", "agent-pass-1")
    login = service.login("李坐席", "agent-pass-1", "127.0.0.1")
    with session_scope(store_url) as session:
        session.execute(update(Staff).values(active=False))
    assert service.session(login.token) is None
    with pytest.raises(StaffError, match="账号或密码错误"):
        service.login("李坐席", "agent-pass-1", "127.0.0.1")


def test_failures_lock_by_name_and_by_address_until_the_window_passes(store_url):
    service = StaffService(store_url)
    service.add("李坐席", "agent", "agent-pass-1")
    service.add("王班长", "supervisor", "super-pass-1")
    for _ in range(staff_module.MAX_FAILURES):
        with pytest.raises(StaffError):
            service.login("李坐席", "wrong-pass", "10.0.0.1")
    with pytest.raises(LoginLocked) as locked:
        service.login("李坐席", "agent-pass-1", "10.0.0.9")  # by name, from anywhere
    assert 0 < locked.value.retry_after <= staff_module.FAILURE_WINDOW.total_seconds()
    with pytest.raises(LoginLocked):
        service.login("王班长", "super-pass-1", "10.0.0.1")  # by address, for any name
    assert service.login("王班长", "super-pass-1", "10.0.0.2").staff.is_supervisor
    with session_scope(store_url) as session:  # the window passes
        session.execute(update(LoginAttempt).values(at=LoginAttempt.at - staff_module.FAILURE_WINDOW))
    assert service.login("李坐席", "agent-pass-1", "10.0.0.1").staff.name == "李坐席"


def test_audit_log_records_logins_and_is_filtered(store_url):
    service = StaffService(store_url)
    service.add("李坐席", "agent", "agent-pass-1")
    service.login("李坐席", "agent-pass-1", "127.0.0.1")
    with pytest.raises(StaffError):
        service.login("李坐席", "nope-nope", "127.0.0.1")
    service.audit("王班长", "reveal_id_number", "110101********1234", "核对身份")
    actions = [e.action for e in service.audit_log()]
    assert actions == ["reveal_id_number", "login_failed", "login", "staff_added"]
    assert [e.subject for e in service.audit_log(action="reveal_id_number")] == ["110101********1234"]
