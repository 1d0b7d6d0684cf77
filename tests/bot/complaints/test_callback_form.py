"""The callback form without Rasa (bot/complaints/callback_form.py)."""

import re

import pytest

from bot.complaints.callback_form import TIME_FORMAT, WANTED_OR_NOT, CallbackForm
from bot.complaints.dialogue import CALLBACK_DECLINED, CALLBACK_OFFER, form_key
from bot.complaints.service import ComplaintService
from bot.dialogue import Turn
from bot.forms import Aside, FormTurn

PHONE = "13912345678"


@pytest.fixture
def form(store_url):
    return CallbackForm(ComplaintService(store_url))


def turn(text, requested=None, intent="inform", **slots):
    return FormTurn(Turn(intent, text), requested=requested, slots=slots, sender="s1", started=1673740800.0)


def test_the_key_is_made_once_from_the_conversation_and_the_message():
    assert CallbackForm.key(turn("人工")) == form_key("s1", "callback_form", 1673740800.0)
    assert CallbackForm.key(turn("人工", callback_key="KEPT")) == "KEPT"


def test_offer_then_phone_then_time_files_a_callback(form):
    key = CallbackForm.key(turn(""))
    step = form.take(turn("找人工", intent="request_human"))
    assert step.slots == {"callback_key": key} and step.next_slot == "callback_wanted"
    step = form.take(turn("好的", "callback_wanted", "affirm"))
    assert step.slots["callback_wanted"] is True and step.next_slot == "callback_phone"
    step = form.take(turn(PHONE, "callback_phone"))
    assert step.slots["callback_phone"] == "139****5678" and step.next_slot == "callback_time"
    assert PHONE not in str(step.slots) and form.service.load_draft(key).phone == PHONE
    step = form.take(turn("明天上午", "callback_time", callback_key=key))
    number = step.slots["callback_ticket"]
    assert number.startswith("HD-") and step.slots["callback_time"] == "明天上午" and step.next_slot is None
    receipt = form.finish({"callback_ticket": number, "callback_key": key, "callback_wanted": True}).messages[0]
    assert number in receipt and "139****5678" in receipt and re.search(r"查询码：\d{6}", receipt)


def test_a_phone_and_a_time_in_the_opening_message_file_at_once(form):
    step = form.take(turn("找个人给俺回电话，号码是13588886666，明天上午都在", intent="request_human"))
    assert step.slots["callback_ticket"].startswith("HD-") and step.next_slot is None
    assert step.slots["callback_phone"] == "135****6666" and step.slots["callback_time"] == "明天上午都在"


def test_declining_unclear_answers_and_bad_input(form):
    assert form.answered(turn("不用了", "callback_wanted", "deny")) is None  # an answer, not a cancel
    step = form.take(turn("不用了", "callback_wanted", "deny"))
    assert step.slots["callback_wanted"] is False and step.next_slot is None
    step = form.take(turn("啥意思", "callback_wanted"))
    assert step.messages == [WANTED_OR_NOT] and step.next_slot == "callback_wanted"
    step = form.take(turn("1391234", "callback_phone"))
    assert step.messages[0].endswith("。") and step.next_slot == "callback_phone"
    step = form.take(turn("长" * 51, "callback_time"))
    assert step.messages == [TIME_FORMAT] and step.next_slot == "callback_time"


def test_a_cancel_marks_the_offer_cancelled_and_finishing_then_says_nothing(form):
    step = form.aside(turn("算了", "callback_phone"), Aside(["已取消"], cancel=True))
    assert step.slots["callback_wanted"] == "cancelled" and step.next_slot is None
    assert form.finish({"callback_wanted": "cancelled"}).messages == []
    assert form.finish({"callback_wanted": False}).messages == [CALLBACK_DECLINED]
    assert form.finish({}).slots["handoff_offer"] is False


def test_a_callback_asked_for_inside_another_form_is_filed_once(form):
    first = form.file_in_passing("s1", 1.0, PHONE, "随时")
    again = form.file_in_passing("s1", 1.0, PHONE, "随时")
    assert "已登记回电" in first and "查询码：" in first and "查询码已在首次回执中给出" in again
    assert form.service.list(kind="callback")[1] == 1


def test_the_offer_after_two_misunderstood_messages_apologises_first():
    assert CallbackForm.question("callback_wanted", {}) == CALLBACK_OFFER
    assert CallbackForm.question("callback_wanted", {"handoff_offer": True}).startswith("抱歉，我还是没能理解")
