"""The complaint form around ComplaintIntake, without Rasa (bot/complaints/complaint_form.py)."""

import datetime as dt

import pytest
from sqlalchemy.exc import OperationalError

from bot.complaints.complaint_form import ComplaintForm
from bot.complaints.dialogue import SLOTS
from bot.complaints.errors import STORE_DOWN
from bot.complaints.service import ComplaintService, Draft
from bot.dialogue import Turn
from bot.forms import Aside, FormTurn

DAY = dt.date(2023, 1, 15)


@pytest.fixture
def form(store_url, book):
    return ComplaintForm(ComplaintService(store_url, clock=lambda: DAY), book, today=lambda: DAY)


def turn(text, requested=None, intent="inform", **slots):
    return FormTurn(Turn(intent, text), requested=requested, slots=slots, sender="s1", started=1673740800.0)


def test_the_opening_message_fills_what_it_names_under_the_forms_key(form):
    step = form.take(turn("我叫王大力，电话13912345678，老板欠我工资", intent="complain_wage_arrears"))
    key = ComplaintForm.key(turn(""))
    assert step.slots["complaint_key"] == key and step.slots[SLOTS["name"]] == "王大力"
    assert step.next_slot == SLOTS["employer"] and "回复“取消”可随时退出" in step.messages[0]
    assert form.service.load_draft(key).phone == "13912345678"


def test_what_counts_as_an_answer(form):
    assert form.answered(turn("王大力")) is None  # the opening message
    assert form.answered(turn("在菜园镇码头干活", "complaint_site")) is True
    assert form.answered(turn("对了问一下，消费券一个人给多少？", "complaint_site")) is False
    assert form.answered(turn("老板跑了，电话也打不通", "complaint_description")) is True
    assert form.answered(turn("留工补助能领不？", "complaint_description", "ask_retention_bonus")) is False


def test_a_cancel_discards_the_draft_and_every_field(form):
    form.service.save_draft("KEY", Draft(name="王大力"))
    step = form.aside(turn("算了", "complaint_site", complaint_key="KEY"), Aside(["已取消"], cancel=True))
    assert form.service.load_draft("KEY").name is None
    assert step.slots["form_cancelled"] is True and step.next_slot is None
    assert all(step.slots[slot] is None for slot in SLOTS.values()) and "complaint_key" not in step.slots
    step = form.aside(turn("消费券呢", "complaint_site", complaint_key="KEY"), Aside(["答复"]))
    assert step.slots == {"complaint_key": "KEY", "resume_note": "继续登记"} and step.next_slot == "complaint_site"


def test_a_store_failure_asks_again(form, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("down"))

    monkeypatch.setattr(form.intake, "take", down)
    step = form.take(turn("王大力", "complaint_name", complaint_key="KEY"))
    assert step.messages == [STORE_DOWN] and step.next_slot == "complaint_name"


def test_the_receipt_once_for_the_ticket_this_form_filed(form):
    number = form.service.file("KEY", Draft(name="王大力", phone="13912345678", firm_name="某公司"))[0].number
    slots = {"complaint_ticket": number, "complaint_key": "KEY", "complaint_outcome": "filed"}
    first, again = form.finish(slots), form.finish(slots)
    assert f"工单号：{number}" in first.messages[0] and "查询码：" in first.messages[0]
    assert "查询码已在首次回执中给出" in again.messages[0]
    assert form.finish({**slots, "complaint_key": "FORGED"}).messages == []
    assert first.slots["complaint_key"] is None and "complaint_ticket" not in first.slots


def test_the_questions():
    assert ComplaintForm.question("complaint_name", {}).startswith("请问您怎么称呼")
    assert ComplaintForm.question("complaint_confirmed", {SLOTS["name"]: "王大力"}).startswith("请核对您的投诉信息")
