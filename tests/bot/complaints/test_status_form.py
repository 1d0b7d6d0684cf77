"""The status check form without Rasa (bot/complaints/status_form.py)."""

import pytest

from bot.complaints.dialogue import STATUS_CODE_FORMAT, STATUS_FORGOTTEN
from bot.complaints.service import ComplaintService, Draft
from bot.complaints.status_form import NO_NUMBER, StatusForm
from bot.dialogue import Turn
from bot.forms import Aside, FormTurn


@pytest.fixture
def service(store_url):
    return ComplaintService(store_url)


def turn(text, requested=None, intent="inform", **slots):
    return FormTurn(Turn(intent, text), requested=requested, slots=slots, sender="s1")


def filed(service):
    number = service.file("k", Draft(name="王大力", phone="13912345678", firm_name="某公司"))[0].number
    return number, service.receipt_for("k", number)[1]


def test_number_and_code_in_one_message_answer_and_end(service):
    number, code = filed(service)
    step = StatusForm(service).take(turn(f"查一下{number}，查询码{code}"))
    assert "已受理" in step.messages[0] and step.next_slot is None and step.slots == {"status_ticket": None}


def test_the_number_first_then_the_code(service):
    number, code = filed(service)
    form = StatusForm(service)
    step = form.take(turn(f"工单号{number.lower()}"))
    assert step.slots == {"status_ticket": number} and step.next_slot == "status_phone4" and not step.messages
    step = form.take(turn(code, "status_phone4", status_ticket=number))
    assert "已受理" in step.messages[0] and step.next_slot is None


def test_a_wrong_code_reads_like_an_unknown_ticket_and_is_counted(service):
    number, code = filed(service)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    form = StatusForm(service)
    replies = [form.take(turn(wrong, "status_phone4", status_ticket=number)).messages[0] for _ in range(5)]
    assert all("没有查到" in r for r in replies[:4]) and "错误次数过多" in replies[4]
    assert "错误次数过多" in form.answer(number, code, "s2")  # locked for the owner too


def test_what_is_missing_is_asked_for(service):
    form = StatusForm(service)
    step = form.take(turn("我的投诉怎么样了"))
    assert step.next_slot == "status_ticket" and not step.messages
    step = form.take(turn("不晓得", "status_ticket"))
    assert step.messages == [NO_NUMBER] and step.next_slot == "status_ticket"
    step = form.take(turn("5678", "status_phone4", status_ticket="QX-20230115-0001"))
    assert step.messages == [STATUS_CODE_FORMAT] and step.next_slot == "status_phone4"
    step = form.take(turn("查询码忘了", "status_phone4", status_ticket="QX-20230115-0001"))
    assert step.messages == [STATUS_FORGOTTEN] and step.next_slot is None


def test_opened_without_a_number_it_uses_the_ticket_just_filed(service):
    step = StatusForm(service).take(turn("我的投诉怎么样了", complaint_ticket="QX-20230115-0007"))
    assert step.slots == {"status_ticket": "QX-20230115-0007"} and step.next_slot == "status_phone4"


def test_only_a_number_or_a_code_answers_and_a_cancel_forgets_the_ticket(service):
    form = StatusForm(service)
    assert form.answered(turn("QX-20230115-0001")) is None  # the opening message: no aside check
    assert form.answered(turn("QX-20230115-0001", "status_ticket")) is True
    assert form.answered(turn("123456", "status_phone4")) is True
    assert form.answered(turn("消费券怎么领", "status_ticket")) is False
    step = form.aside(turn("算了", "status_ticket"), Aside(["已取消"], cancel=True))
    assert step.slots == {"form_cancelled": True, "status_ticket": None} and step.next_slot is None


def test_the_questions():
    assert StatusForm.question("status_ticket", {}).startswith("请提供工单号")
    assert StatusForm.question("status_phone4", {"status_ticket": "QX-20230115-0001"}).startswith(
        "查询工单 QX-20230115-0001。为保护您的信息"
    )
