"""The ticket queue on a real store (SQLite, and PostgreSQL when TEST_POSTGRES_URL is set)."""

import asyncio
import datetime as dt
import re

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from bot.complaints.service import ComplaintService, Draft, TicketError, normalize_ticket_number
from bot.store.db import dispose_engines, session_scope
from bot.store.models import AuditEntry, Firm, IntakeDraft, StatusAttempt, Ticket, TicketEvent

DAY = dt.date(2023, 1, 15)


@pytest.fixture
def service(store_url):
    return ComplaintService(store_url, clock=lambda: DAY)


def complaint(**changes) -> Draft:
    values = dict(
        name="王大力",
        phone="13912345678",
        firm_name="嵊泗某水产公司",
        workers=1,
        amount_yuan="12000",
        amount_text="12000元",
        months=["2022-10", "2022-11", "2022-12"],
    )
    values.update(changes)
    return Draft(**values)


UNKNOWN = "QX-20230116-0042"  # another day: no ticket of DAY can have this number


def test_a_filing_gets_a_readable_number_and_an_audit_entry(service):
    ticket, created = service.file("key-1", complaint())
    assert created and re.fullmatch(r"QX-20230115-\d{4}", ticket.number) and ticket.number != "QX-20230115-0000"
    assert ticket.status == "已受理" and not ticket.urgent
    assert ticket.phone_masked == "139****5678"
    assert ticket.months == ("2022-10", "2022-11", "2022-12") and ticket.months_count == 3
    assert [(e.staff, e.from_status, e.to_status) for e in ticket.events] == [("系统", None, "已受理")]
    assert str(ticket.amount_yuan) == "12000.00"


def test_the_same_key_files_once(service):
    first, created = service.file("key-1", complaint())
    again, created_again = service.file("key-1", complaint(name="别人"))
    assert created and not created_again
    assert again.number == first.number and again.name == "王大力"
    assert service.count() == 1


def test_numbers_carry_the_kind_and_the_day(service, store_url):
    assert service.file("a", complaint())[0].number.startswith("QX-20230115-")
    assert service.file("c", Draft(phone="13912345678", callback_time="明天上午"), kind="callback")[
        0
    ].number.startswith("HD-20230115-")
    later = ComplaintService(store_url, clock=lambda: DAY + dt.timedelta(days=1))
    assert later.file("d", complaint())[0].number.startswith("QX-20230116-")


def test_numbers_are_not_sequential_so_one_number_does_not_give_away_the_others(service):
    numbers = [service.file(f"n{i}", complaint())[0].number for i in range(50)]
    assert len(set(numbers)) == 50
    suffixes = [int(n[-4:]) for n in numbers]
    assert all(1 <= s <= 9999 for s in suffixes)
    steps = [b - a for a, b in zip(suffixes, suffixes[1:])]
    assert steps.count(1) <= 2  # sequential numbers would step by 1 every time
    assert sorted(suffixes) != list(range(min(suffixes), min(suffixes) + 50))


def test_a_day_whose_numbers_are_nearly_used_up_still_gets_the_free_ones(service, store_url):
    with session_scope(store_url) as session:  # 9997 of the 9999 numbers taken, as if filed earlier
        now = dt.datetime(2023, 1, 15)
        session.execute(
            Ticket.__table__.insert(),
            [
                dict(
                    number=f"QX-20230115-{n:04d}",
                    idempotency_key=f"old-{n}",
                    kind="complaint",
                    status="已受理",
                    urgent=False,
                    channel="chat",
                    filed_on=DAY,
                    created_at=now,
                    updated_at=now,
                    phone="13912345678",
                )
                for n in range(1, 10000)
                if n not in (17, 9321)
            ],
        )
    numbers = {service.file(f"last-{i}", complaint())[0].number for i in range(2)}
    assert numbers == {"QX-20230115-0017", "QX-20230115-9321"}
    with pytest.raises(TicketError, match="编号已用完"):
        service.file("one-too-many", complaint())


def test_twenty_concurrent_filings_with_one_key_make_one_ticket(service):
    async def race():
        return await asyncio.gather(
            *[asyncio.to_thread(service.file, "double-confirm", complaint()) for _ in range(20)]
        )

    results = asyncio.run(race())
    assert service.count() == 1
    assert len({ticket.number for ticket, _ in results}) == 1
    assert sum(created for _, created in results) == 1


def test_twenty_concurrent_filings_with_different_keys_get_distinct_numbers(service):
    async def race():
        return await asyncio.gather(*[asyncio.to_thread(service.file, f"k{i}", complaint()) for i in range(20)])

    results = asyncio.run(race())
    assert all(created for _, created in results) and service.count() == 20
    assert len({ticket.number for ticket, _ in results}) == 20


def test_the_unique_constraint_holds_without_the_service(service, store_url):
    service.file("key-1", complaint())
    with pytest.raises(IntegrityError):
        with session_scope(store_url) as session:
            existing = session.execute(select(Ticket)).scalar_one()
            session.add(
                Ticket(
                    number="QX-20230115-0099",
                    idempotency_key="key-1",
                    kind="complaint",
                    status="已受理",
                    urgent=False,
                    channel="chat",
                    filed_on=DAY,
                    created_at=existing.created_at,
                    updated_at=existing.created_at,
                    phone="13912345678",
                )
            )


def test_filing_from_the_saved_draft_deletes_it_in_the_same_transaction(service, store_url):
    service.save_draft("key-2", complaint(name="李秀英"))
    ticket, created = service.file("key-2")
    assert created and ticket.name == "李秀英"
    with session_scope(store_url) as session:
        assert session.execute(select(func.count()).select_from(IntakeDraft)).scalar_one() == 0
    # Repeating the filing after the draft is gone finds the ticket instead of failing.
    assert service.file("key-2")[0].number == ticket.number


def test_an_incomplete_draft_is_refused_in_chinese(service):
    with pytest.raises(TicketError, match="缺少"):
        service.file("key-3", Draft(name="王大力"))
    with pytest.raises(TicketError, match="没有找到待提交的登记内容"):
        service.file("never-saved")
    assert service.count() == 0


@pytest.mark.parametrize(
    "draft, reason",
    [
        (complaint(workers=10), "涉及10人"),
        (complaint(workers=35), "涉及35人"),
        (complaint(cannot_go_home=True), "无法回家过年"),
        (complaint(workers=12, cannot_go_home=True), "涉及12人；无法回家过年"),
    ],
)
def test_ten_workers_or_no_way_home_is_urgent(service, draft, reason):
    ticket, _ = service.file("urgent", draft)
    assert ticket.urgent and ticket.urgent_reason == reason


def test_nine_workers_are_not_urgent(service):
    assert not service.file("nine", complaint(workers=9))[0].urgent


def test_the_lifecycle_and_its_audit_trail(service):
    number = service.file("key-1", complaint())[0].number
    service.update(number, staff="张科员", status="处理中", note="已联系企业负责人")
    service.update(number, staff="张科员", note="企业承诺1月20日前支付")
    done = service.update(number, staff="李科长", status="已办结", note="工资已足额支付")
    trail = [(e.staff, e.from_status, e.to_status, e.note) for e in done.events]
    assert trail == [
        ("系统", None, "已受理", "经chat登记"),
        ("张科员", "已受理", "处理中", "已联系企业负责人"),
        ("张科员", "处理中", "处理中", "企业承诺1月20日前支付"),
        ("李科长", "处理中", "已办结", "工资已足额支付"),
    ]
    assert done.status == "已办结"


@pytest.mark.parametrize("path, bad", [([], "已办结"), (["处理中", "已办结"], "处理中"), (["已转办"], "处理中")])
def test_invalid_transitions_are_refused_and_leave_no_trace(service, store_url, path, bad):
    number = service.file("key-1", complaint())[0].number
    for status in path:
        service.update(number, staff="张科员", status=status)
    with pytest.raises(TicketError, match="不能改为"):
        service.update(number, staff="张科员", status=bad)
    with session_scope(store_url) as session:
        assert session.execute(select(func.count()).select_from(TicketEvent)).scalar_one() == 1 + len(path)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(staff="", status="处理中"), "经办人"),
        (dict(staff="系统", status="处理中"), "经办人"),
        (dict(staff="张科员"), "新状态或备注"),
        (dict(staff="张科员", status="完成"), "状态只能是"),
        (dict(staff="张科员", note="长" * 2001), "2000"),
    ],
)
def test_bad_updates_are_refused_in_chinese(service, kwargs, message):
    number = service.file("key-1", complaint())[0].number
    with pytest.raises(TicketError, match=message):
        service.update(number, **kwargs)


def test_updating_an_unknown_ticket_says_so(service):
    with pytest.raises(TicketError, match="没有工单"):
        service.update(UNKNOWN, staff="张科员", status="处理中")


def filed_with_code(service, key="key-1", **changes):
    number = service.file(key, complaint(**changes))[0].number
    _, code = service.receipt_for(key, number)
    return number, code


def other_code(code):
    return f"{(int(code) + 1) % 10**6:06d}"


def test_the_code_is_issued_once_with_the_receipt_and_kept_only_as_a_salted_hash(service, store_url):
    number, code = filed_with_code(service)
    assert re.fullmatch(r"\d{6}", code)
    again, no_code = service.receipt_for("key-1", number)
    assert again.number == number and again.code_issued and no_code is None  # a repeated receipt: no code
    assert service.receipt_for("key-1", UNKNOWN) == (None, None)  # a key names only its own ticket
    assert service.receipt_for("someone-else", number) == (None, None)
    with session_scope(store_url) as session:
        stored = session.execute(select(Ticket.access_code_hash)).scalar_one()
    assert stored.startswith("scrypt$") and code not in stored
    other, other_code_ = filed_with_code(service, "key-2")
    with session_scope(store_url) as session:
        salts = {h.split("$")[4] for h in session.execute(select(Ticket.access_code_hash)).scalars()}
    assert len(salts) == 2  # a salt per ticket


def test_status_needs_the_right_number_and_its_code(service):
    number, code = filed_with_code(service)
    service.update(number, staff="张科员", status="处理中", note="已约企业面谈")
    answer = service.status_for(number, code, "user-1").answer
    assert answer.status == "处理中" and answer.latest_note == "已约企业面谈"
    assert service.status_for(number.replace("-", "").lower(), code, "user-1").answer is not None
    assert service.status_for(number, "5678", "user-1").answer is None  # the phone's last four open nothing
    for wrong_number, wrong_code in [
        (number, other_code(code)),
        (UNKNOWN, code),
        (number, code[:5]),
        (number, ""),
        ("", code),
        ("not a ticket", code),
    ]:
        check = service.status_for(wrong_number, wrong_code, "user-2")
        assert check.answer is None and not check.locked


def test_a_ticket_without_a_code_is_never_shown(service, store_url):
    number = service.file("console-filed", complaint())[0].number  # no receipt: no code
    assert not service.get(number).code_issued
    for guess in ("000000", "123456", "999999"):
        assert service.status_for(number, guess, "user-1").answer is None


def test_only_staff_notes_are_shown_to_the_complainant(service):
    number, code = filed_with_code(service)
    assert service.status_for(number, code, "user-1").answer.latest_note is None


def test_five_wrong_codes_from_five_senders_lock_the_ticket_and_audit_it(service, store_url):
    number, code = filed_with_code(service)
    checks = [service.status_for(number, other_code(code), f"sender-{i}") for i in range(5)]
    assert [c.locked for c in checks] == [False, False, False, False, True]
    assert all(c.answer is None for c in checks)
    locked = service.status_for(number, code, "sender-new")  # the right code, from a new sender: refused
    assert locked.locked and locked.answer is None
    assert [lock.number for lock in service.locked_tickets()] == [number]
    assert service.locked_tickets(number)[0].wrong == 5
    with session_scope(store_url) as session:
        audits = session.execute(select(AuditEntry).where(AuditEntry.action == "status_locked")).scalars().all()
        assert [(a.staff, a.subject) for a in audits] == [("系统", number)]
        assert code not in (audits[0].detail or "")
    assert service.unlock_status(number, "王班长") == 5
    assert service.status_for(number, code, "sender-new").answer is not None
    assert service.locked_tickets() == []


def test_the_count_survives_a_new_service_on_the_same_store(service, store_url):
    """A server restart: the count is in the store, not in the process or the conversation."""
    number, code = filed_with_code(service)
    for i in range(3):
        service.status_for(number, other_code(code), "sender-a")
    dispose_engines()  # every connection of the "old server" closed
    restarted = ComplaintService(store_url, clock=lambda: DAY)
    assert not restarted.status_for(number, other_code(code), "sender-b").locked
    assert restarted.status_for(number, other_code(code), "sender-c").locked
    assert ComplaintService(store_url).status_for(number, code, "sender-d").locked


def test_ten_wrong_codes_from_one_sender_refuse_that_sender_on_every_ticket(service, store_url):
    tickets = [filed_with_code(service, f"key-{i}") for i in range(4)]
    guesses = [(number, other_code(code)) for number, code in tickets for _ in range(3)][:10]
    checks = [service.status_for(number, guess, "prober") for number, guess in guesses]
    assert [c.locked for c in checks] == [False] * 9 + [True]
    number, code = tickets[3]
    assert service.status_for(number, code, "prober").locked  # the right code: refused for this sender
    assert service.status_for(number, code, "owner").answer is not None  # not for anybody else
    with session_scope(store_url) as session:
        assert (
            session.execute(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "status_sender_locked")
            ).scalar_one()
            == 1
        )
        keys = set(session.execute(select(StatusAttempt.sender_key)).scalars())
    assert "prober" not in keys and all(len(k) == 64 for k in keys)  # senders are kept hashed


def test_wrong_codes_older_than_a_day_no_longer_count(service, store_url):
    number, code = filed_with_code(service)
    for i in range(5):
        service.status_for(number, other_code(code), f"sender-{i}")
    assert service.status_for(number, code, "owner").locked
    with session_scope(store_url) as session:
        session.execute(
            update(StatusAttempt)
            .values(at=StatusAttempt.at - dt.timedelta(hours=25))
            .execution_options(synchronize_session=False)
        )
    assert service.status_for(number, code, "owner").answer is not None


def test_the_right_code_clears_the_tickets_earlier_wrong_tries(service):
    number, code = filed_with_code(service)
    for i in range(4):
        service.status_for(number, other_code(code), "owner")
    assert service.status_for(number, code, "owner").answer is not None
    assert not service.status_for(number, other_code(code), "someone").locked  # 1 wrong since, not 5


def test_a_new_code_from_staff_replaces_the_old_one_and_ends_a_lock(service, store_url):
    number, code = filed_with_code(service)
    for i in range(5):
        service.status_for(number, other_code(code), f"sender-{i}")
    new = service.reset_code(number, "李坐席")
    assert re.fullmatch(r"\d{6}", new) and service.locked_tickets() == []
    assert service.status_for(number, new, "owner").answer is not None
    if new != code:
        assert service.status_for(number, code, "owner").answer is None
    with session_scope(store_url) as session:
        [audit] = session.execute(select(AuditEntry).where(AuditEntry.action == "code_reset")).scalars().all()
    assert (audit.staff, audit.subject) == ("李坐席", number) and new not in audit.detail
    with pytest.raises(TicketError, match="没有工单"):
        service.reset_code(UNKNOWN, "李坐席")
    with pytest.raises(TicketError, match="经办人"):
        service.reset_code(number, "")


def test_concurrent_wrong_codes_are_all_counted(service):
    number, code = filed_with_code(service)

    async def race():
        return await asyncio.gather(
            *[asyncio.to_thread(service.status_for, number, other_code(code), f"s{i}") for i in range(12)]
        )

    checks = asyncio.run(race())
    assert sum(not c.locked for c in checks) <= 5  # at most 5 codes were checked, however they raced
    assert service.status_for(number, code, "owner").locked


def test_listing_filters_and_pages(service):
    plain = [service.file(f"plain-{i}", complaint(firm_name=f"甲公司{i}"))[0].number for i in range(7)]
    urgent = service.file("urgent", complaint(workers=15, firm_name="乙水产公司"))[0].number
    callback = service.file("cb", Draft(phone="13912345678"), kind="callback")[0].number
    tickets, total = service.list(limit=3)
    assert total == 9 and [t.number for t in tickets] == [callback, urgent, plain[6]]  # newest first
    assert service.list(limit=3, offset=3)[0][0].number == plain[5]
    assert [t.number for t in service.list(urgent=True)[0]] == [urgent]
    assert service.list(kind="callback")[1] == 1
    assert [t.firm_name for t in service.list(firm="乙水产")[0]] == ["乙水产公司"]
    assert service.list(since=DAY + dt.timedelta(days=1))[1] == 0
    with pytest.raises(TicketError):
        service.list(status="完成")


def test_the_firm_table_is_matched_when_the_name_is_clear(service, store_url):
    with session_scope(store_url) as session:
        for code, name in [
            ("91330922MA2A00001T", "嵊泗县华利水产有限公司"),
            ("91330922MA2A00002T", "嵊泗县华利冷链有限公司"),
        ]:
            session.add(
                Firm(
                    credit_code=code,
                    name=name,
                    region_code="330922",
                    above_scale=True,
                    industrial=True,
                    state_owned=False,
                    key_project=False,
                    festival_production=True,
                )
            )
    assert service.match_firm("华利水产") == ("嵊泗县华利水产有限公司", "91330922MA2A00001T")
    assert service.match_firm("嵊泗县华利冷链有限公司") == ("嵊泗县华利冷链有限公司", "91330922MA2A00002T")
    assert service.match_firm("华利") is None  # two firms: not clear
    assert service.match_firm("100%") is None
    assert service.match_firm("某") is None


@pytest.mark.parametrize(
    "typed, number",
    [
        ("QX-20230115-0007", "QX-20230115-0007"),
        ("qx20230115-0007", "QX-20230115-0007"),
        ("工单号 QX 20230115 0007 查一下", "QX-20230115-0007"),
        ("HD202301150012", "HD-20230115-0012"),
        ("20230115-0007", None),
        ("AB-20230115-0007", None),
    ],
)
def test_ticket_numbers_are_read_as_typed(typed, number):
    assert normalize_ticket_number(typed) == number
