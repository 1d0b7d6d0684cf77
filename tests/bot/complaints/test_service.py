"""The ticket queue on a real store (SQLite, and PostgreSQL when TEST_POSTGRES_URL is set)."""

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.complaints.service import (ComplaintService, Draft, TicketError, normalize_ticket_number)
from bot.store.db import session_scope
from bot.store.models import Firm, IntakeDraft, Ticket, TicketEvent

DAY = dt.date(2023, 1, 15)


@pytest.fixture
def service(store_url):
    return ComplaintService(store_url, clock=lambda: DAY)


def complaint(**changes) -> Draft:
    values = dict(name="王大力", phone="13912345678", firm_name="嵊泗某水产公司", workers=1,
                  amount_yuan="12000", amount_text="12000元", months=["2022-10", "2022-11", "2022-12"])
    values.update(changes)
    return Draft(**values)


def test_a_filing_gets_a_readable_number_and_an_audit_entry(service):
    ticket, created = service.file("key-1", complaint())
    assert created and ticket.number == "QX-20230115-0001"
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


def test_numbers_count_per_day_and_kind(service, store_url):
    assert service.file("a", complaint())[0].number == "QX-20230115-0001"
    assert service.file("b", complaint())[0].number == "QX-20230115-0002"
    assert service.file("c", Draft(phone="13912345678", callback_time="明天上午"), kind="callback")[0].number \
        == "HD-20230115-0001"
    later = ComplaintService(store_url, clock=lambda: DAY + dt.timedelta(days=1))
    assert later.file("d", complaint())[0].number == "QX-20230116-0001"


def test_twenty_concurrent_filings_with_one_key_make_one_ticket(service):
    async def race():
        return await asyncio.gather(*[asyncio.to_thread(service.file, "double-confirm", complaint())
                                      for _ in range(20)])

    results = asyncio.run(race())
    assert service.count() == 1
    assert len({ticket.number for ticket, _ in results}) == 1
    assert sum(created for _, created in results) == 1


def test_twenty_concurrent_filings_with_different_keys_get_distinct_numbers_without_gaps(service):
    async def race():
        return await asyncio.gather(*[asyncio.to_thread(service.file, f"k{i}", complaint()) for i in range(20)])

    numbers = sorted(ticket.number for ticket, _ in asyncio.run(race()))
    assert numbers == [f"QX-20230115-{i:04d}" for i in range(1, 21)]


def test_the_unique_constraint_holds_without_the_service(service, store_url):
    service.file("key-1", complaint())
    with pytest.raises(IntegrityError):
        with session_scope(store_url) as session:
            existing = session.execute(select(Ticket)).scalar_one()
            session.add(Ticket(number="QX-20230115-0099", idempotency_key="key-1", kind="complaint",
                               status="已受理", urgent=False, channel="chat", filed_on=DAY,
                               created_at=existing.created_at, updated_at=existing.created_at,
                               phone="13912345678"))


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


@pytest.mark.parametrize("draft, reason", [
    (complaint(workers=10), "涉及10人"),
    (complaint(workers=35), "涉及35人"),
    (complaint(cannot_go_home=True), "无法回家过年"),
    (complaint(workers=12, cannot_go_home=True), "涉及12人；无法回家过年"),
])
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
    assert trail == [("系统", None, "已受理", "经chat登记"),
                     ("张科员", "已受理", "处理中", "已联系企业负责人"),
                     ("张科员", "处理中", "处理中", "企业承诺1月20日前支付"),
                     ("李科长", "处理中", "已办结", "工资已足额支付")]
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


@pytest.mark.parametrize("kwargs, message", [
    (dict(staff="", status="处理中"), "经办人"),
    (dict(staff="系统", status="处理中"), "经办人"),
    (dict(staff="张科员"), "新状态或备注"),
    (dict(staff="张科员", status="完成"), "状态只能是"),
    (dict(staff="张科员", note="长" * 2001), "2000"),
])
def test_bad_updates_are_refused_in_chinese(service, kwargs, message):
    number = service.file("key-1", complaint())[0].number
    with pytest.raises(TicketError, match=message):
        service.update(number, **kwargs)


def test_updating_an_unknown_ticket_says_so(service):
    with pytest.raises(TicketError, match="没有工单"):
        service.update("QX-20230115-0042", staff="张科员", status="处理中")


def test_status_needs_the_right_number_and_the_right_last_four_digits(service):
    number = service.file("key-1", complaint())[0].number
    service.update(number, staff="张科员", status="处理中", note="已约企业面谈")
    answer = service.status_for(number, "5678")
    assert answer.status == "处理中" and answer.latest_note == "已约企业面谈"
    assert service.status_for(number.replace("-", "").lower(), "5678") is not None
    for wrong_number, wrong_digits in [(number, "5679"), (number, "1234"), ("QX-20230115-0002", "5678"),
                                       (number, "567"), (number, ""), ("", "5678"), ("not a ticket", "5678")]:
        assert service.status_for(wrong_number, wrong_digits) is None


def test_only_staff_notes_are_shown_to_the_complainant(service):
    number = service.file("key-1", complaint())[0].number
    assert service.status_for(number, "5678").latest_note is None


def test_listing_filters_and_pages(service):
    for i in range(7):
        service.file(f"plain-{i}", complaint(firm_name=f"甲公司{i}"))
    service.file("urgent", complaint(workers=15, firm_name="乙水产公司"))
    service.file("cb", Draft(phone="13912345678"), kind="callback")
    tickets, total = service.list(limit=3)
    assert total == 9 and [t.number for t in tickets] == ["HD-20230115-0001", "QX-20230115-0008",
                                                         "QX-20230115-0007"]
    assert service.list(limit=3, offset=3)[0][0].number == "QX-20230115-0006"
    assert [t.number for t in service.list(urgent=True)[0]] == ["QX-20230115-0008"]
    assert service.list(kind="callback")[1] == 1
    assert [t.firm_name for t in service.list(firm="乙水产")[0]] == ["乙水产公司"]
    assert service.list(since=DAY + dt.timedelta(days=1))[1] == 0
    with pytest.raises(TicketError):
        service.list(status="完成")


def test_the_firm_table_is_matched_when_the_name_is_clear(service, store_url):
    with session_scope(store_url) as session:
        for code, name in [("91330922MA2A00001T", "嵊泗县华利水产有限公司"), ("91330922MA2A00002T", "嵊泗县华利冷链有限公司")]:
            session.add(Firm(credit_code=code, name=name, region_code="330922", above_scale=True,
                             industrial=True, state_owned=False, key_project=False, festival_production=True))
    assert service.match_firm("华利水产") == ("嵊泗县华利水产有限公司", "91330922MA2A00001T")
    assert service.match_firm("嵊泗县华利冷链有限公司") == ("嵊泗县华利冷链有限公司", "91330922MA2A00002T")
    assert service.match_firm("华利") is None  # two firms: not clear
    assert service.match_firm("100%") is None
    assert service.match_firm("某") is None


@pytest.mark.parametrize("typed, number", [
    ("QX-20230115-0007", "QX-20230115-0007"), ("qx20230115-0007", "QX-20230115-0007"),
    ("工单号 QX 20230115 0007 查一下", "QX-20230115-0007"), ("HD202301150012", "HD-20230115-0012"),
    ("20230115-0007", None), ("AB-20230115-0007", None),
])
def test_ticket_numbers_are_read_as_typed(typed, number):
    assert normalize_ticket_number(typed) == number
