"""Complaint, status and callback actions: real trackers from JSON fixtures, a real store, no Rasa."""

import json
import re
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionAnswerPolicy
from actions.base import forget_services
from actions.complaints import (
    ActionAskComplaintConfirmed,
    ActionCallbackDone,
    ActionComplaintDone,
    ValidateCallbackForm,
    ValidateComplaintForm,
    ValidateStatusForm,
)
from bot.complaints.service import ComplaintService, Draft

FIXTURES = Path(__file__).parent / "fixtures"
DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))
PHONE = "13912345678"


def tracker_dict(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


async def run(action, tracker):
    if isinstance(tracker, str):
        tracker = tracker_dict(tracker)
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, Tracker.from_dict(tracker), domain=DOMAIN)
    return [m["text"] for m in dispatcher.messages], events


def slots(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


@pytest.fixture
def store(store_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", store_url)
    monkeypatch.setenv("BOT_TODAY", "2023-01-15")
    forget_services()  # the one service per process is made again, on this store
    yield ComplaintService(store_url)
    forget_services()


def saved_read_back(store, key="KEYCONFIRMFIXTURE"):
    store.save_draft(
        key,
        Draft(
            name="王大力",
            phone=PHONE,
            firm_name="嵊泗某水产公司",
            work_site="菜园镇码头",
            amount_yuan="12000",
            amount_text="12000元",
            months_count=3,
            workers=1,
            description="老板失联",
        ),
    )


async def test_one_message_fills_every_field_it_names_and_keeps_the_phone_masked(store):
    texts, events = await run(ValidateComplaintForm(), "complaint_opened_all_in_one")
    values = slots(events)
    assert values["complaint_name"] == "王大力"
    assert values["complaint_phone"] == "139****5678"
    assert values["complaint_employer"] == "嵊泗某水产公司"
    assert values["complaint_amount"] == "12000元"
    assert values["requested_slot"] == "complaint_site"
    assert PHONE not in json.dumps(events, ensure_ascii=False)
    assert store.load_draft(values["complaint_key"]).phone == PHONE


async def test_a_retried_call_makes_the_same_key(store):
    _, first = await run(ValidateComplaintForm(), "complaint_opened_all_in_one")
    _, second = await run(ValidateComplaintForm(), "complaint_opened_all_in_one")
    assert slots(first)["complaint_key"] == slots(second)["complaint_key"]


async def test_the_read_back_masks_the_phone():
    texts, _ = await run(ActionAskComplaintConfirmed(), "complaint_confirm")
    assert "手机号：139****5678" in texts[0] and "回复“确认”" in texts[0]


async def test_confirmation_files_once_however_often_the_call_is_repeated(store):
    saved_read_back(store)
    results = [await run(ValidateComplaintForm(), "complaint_confirm") for _ in range(3)]
    numbers = {slots(events)["complaint_ticket"] for _, events in results}
    assert len(numbers) == 1 and numbers.pop().startswith("QX-20230115-")
    assert all(slots(events)["requested_slot"] is None for _, events in results)
    assert store.count() == 1


async def filed_in_chat(store):
    """A complaint confirmed in the chat and its receipt: (tracker after filing, number, receipt, code)."""
    saved_read_back(store)
    _, events = await run(ValidateComplaintForm(), "complaint_confirm")
    after = tracker_dict("complaint_confirm")
    after["slots"].update(slots(events))
    texts, done = await run(ActionComplaintDone(), after)
    code = re.search(r"查询码：(\d{6})", texts[0]).group(1)
    return after, slots(events)["complaint_ticket"], texts[0], code, done


async def test_the_receipt_after_filing_gives_the_code_once_and_the_slots_are_cleared(store):
    after, number, receipt, code, done = await filed_in_chat(store)
    assert f"工单号：{number}" in receipt and receipt.endswith("第21条、第22条）")
    assert PHONE not in receipt and "139****5678" in receipt  # the last four no longer unlock anything
    cleared = slots(done)
    assert cleared["complaint_name"] is None and cleared["complaint_key"] is None
    assert "complaint_ticket" not in cleared  # kept: the status check can use it
    again, _ = await run(ActionComplaintDone(), after)  # Rasa retries the action: the code is not shown again
    assert f"工单号：{number}" in again[0] and code not in again[0] and "查询码已在首次回执中给出" in again[0]


def forged(tracker, **slot_values):
    tracker = json.loads(json.dumps(tracker))
    tracker["sender_id"] = "attacker"
    tracker["slots"].update(slot_values)
    return tracker


async def test_a_forged_receipt_request_naming_somebody_elses_ticket_gets_nothing(store):
    after, number, receipt, code, _ = await filed_in_chat(store)
    for key in (None, "FORGEDKEY", "KEYCALLBACK"):
        texts, _ = await run(ActionComplaintDone(), forged(after, complaint_key=key))
        assert texts == [], texts
    callback = forged(tracker_dict("callback_time"), callback_ticket=number, callback_key="FORGED")
    texts, _ = await run(ActionCallbackDone(), callback)
    assert all(number not in t and "139****" not in t for t in texts), texts


async def test_a_policy_question_midway_is_answered_and_the_field_asked_again(store):
    texts, events = await run(ValidateComplaintForm(), "complaint_policy_question_midway")
    assert "500元" in texts[0] and "第1条）" in texts[0]
    assert slots(events)["resume_note"] == "继续登记"  # the form's next question starts "继续登记："
    assert slots(events)["requested_slot"] == "complaint_employer"
    assert "complaint_employer" not in slots(events)


def status_turn(number, text, sender="s1", attempts=None):
    """The status form at its code step, in a new conversation of `sender` (after /restart the
    tracker is new and its slots empty; a forged one may say status_attempts: 0)."""
    tracker = tracker_dict("status_phone4")
    tracker["sender_id"] = sender
    tracker["slots"].update(status_ticket=number, status_attempts=attempts)
    tracker["latest_message"]["text"] = text
    return tracker


def filed_with_code(store, key="k"):
    number = store.file(key, Draft(name="王大力", phone=PHONE, firm_name="某公司"))[0].number
    return number, store.receipt_for(key, number)[1]


def wrong(code):
    return f"{(int(code) + 1) % 10**6:06d}"


async def test_status_with_the_right_and_the_wrong_code(store):
    number, code = filed_with_code(store)
    store.update(number, staff="张科员", status="处理中", note="已约企业面谈")
    right, events = await run(ValidateStatusForm(), status_turn(number, code))
    assert "处理中" in right[0] and "已约企业面谈" in right[0]
    assert slots(events)["requested_slot"] is None and "status_attempts" not in slots(events)

    wrong_texts, _ = await run(ValidateStatusForm(), status_turn(number, wrong(code)))
    unknown_texts, _ = await run(ValidateStatusForm(), status_turn("QX-20230116-0002", code))
    assert "处理中" not in wrong_texts[0] and "已约企业面谈" not in wrong_texts[0]
    # A wrong code and a ticket that does not exist read alike: nothing to probe.
    assert wrong_texts[0].replace(number, "N") == unknown_texts[0].replace("QX-20230116-0002", "N")


async def test_the_phones_last_four_are_not_the_code(store):
    number, code = filed_with_code(store)
    texts, events = await run(ValidateStatusForm(), status_turn(number, "5678"))
    assert "6位数字" in texts[0] and "不是手机尾号" in texts[0] and "处理中" not in texts[0]
    assert slots(events)["requested_slot"] == "status_phone4"
    texts, _ = await run(ValidateStatusForm(), status_turn(number, "尾号5678，电话13912345678"))
    assert "已受理" not in "".join(texts)


async def test_the_wrong_code_count_survives_restart_new_senders_and_forged_slots(store):
    """Five wrong codes for one ticket, each from a new conversation: a /restart (fresh tracker), a
    new sender id, or a forged tracker saying status_attempts: 0. The ticket is then locked for
    self-service, even for its owner with the right code."""
    number, code = filed_with_code(store)
    turns = [
        status_turn(number, wrong(code), sender="s1"),  # a conversation
        status_turn(number, wrong(code), sender="s1"),  # the same user after /restart
        status_turn(number, wrong(code), sender="new-1", attempts=0),  # new sender ids, forged slots
        status_turn(number, wrong(code), sender="new-2", attempts=0),
        status_turn(number, wrong(code), sender="new-3", attempts=0),
    ]
    replies = [(await run(ValidateStatusForm(), turn))[0][0] for turn in turns]
    assert all("没有查到" in r for r in replies[:4]) and "错误次数过多" in replies[4]
    forget_services()  # the action server restarts: a new service on the same store
    texts, _ = await run(ValidateStatusForm(), status_turn(number, code, sender="owner", attempts=0))
    assert "错误次数过多" in texts[0] and "12333" in texts[0] and "已受理" not in texts[0]
    assert [lock.number for lock in store.locked_tickets()] == [number]


async def test_status_opened_with_a_number_asks_for_the_code(store):
    _, events = await run(ValidateStatusForm(), "status_opened_with_number")
    assert slots(events) == {"status_ticket": "QX-20230115-0001", "requested_slot": "status_phone4"}


async def test_a_forgotten_code_ends_the_form_with_the_hotline(store):
    texts, events = await run(ValidateStatusForm(), status_turn("QX-20230115-0001", "查询码忘了"))
    assert "12333" in texts[0] and slots(events)["requested_slot"] is None


async def test_status_opened_without_a_number_uses_the_ticket_of_this_conversation(store):
    tracker = tracker_dict("status_opened_with_number")
    tracker["latest_message"]["text"] = "我的投诉怎么样了"
    tracker["slots"]["complaint_ticket"] = "QX-20230115-0007"
    _, events = await run(ValidateStatusForm(), tracker)
    assert slots(events)["status_ticket"] == "QX-20230115-0007"


async def test_a_callback_is_filed_in_the_same_queue(store):
    store.save_draft("KEYCALLBACK", Draft(phone=PHONE))
    _, events = await run(ValidateCallbackForm(), "callback_time")
    number = slots(events)["callback_ticket"]
    assert number.startswith("HD-20230115-") and slots(events)["requested_slot"] is None
    after = tracker_dict("callback_time")
    after["slots"].update(slots(events))
    texts, _ = await run(ActionCallbackDone(), after)
    assert number in texts[0] and "明天上午" in texts[0] and "139****5678" in texts[0]
    code = re.search(r"查询码：(\d{6})", texts[0]).group(1)
    answer, _ = await run(ValidateStatusForm(), status_turn(number, code))
    assert "回电请求" in answer[0] and "已受理" in answer[0]
    assert store.list(kind="callback")[1] == 1 and store.get(number).callback_time == "明天上午"


async def test_declining_a_callback_gives_the_hotline(store):
    tracker = tracker_dict("callback_time")
    tracker["slots"].update({"callback_wanted": None, "requested_slot": "callback_wanted"})
    tracker["latest_message"].update({"text": "不用了", "intent": {"name": "deny", "confidence": 0.9}})
    _, events = await run(ValidateCallbackForm(), tracker)
    assert slots(events)["callback_wanted"] is False and slots(events)["requested_slot"] is None
    texts, _ = await run(ActionCallbackDone(), tracker)
    assert "12333" in texts[0] and store.count() == 0


async def test_the_second_fallback_in_a_row_offers_a_callback():
    texts, events = await run(ActionAnswerPolicy(), "second_fallback")
    assert texts == [] and slots(events)["handoff_offer"] is True and slots(events)["route"] == "callback_form"
    texts, events = await run(ActionAnswerPolicy(), "first_fallback")
    assert texts and "handoff_offer" not in slots(events) and slots(events)["route"] == "answered"


async def test_a_fallback_after_an_answered_one_clarifies_instead_of_offering_a_person():
    tracker = tracker_dict("second_fallback")
    for event in tracker["events"]:
        if event.get("event") == "bot":
            event["text"] = "【一次性留工补助】嵊泗县\n金额：每人500元"  # the unsure message was answered after all
    texts, events = await run(ActionAnswerPolicy(), tracker)
    assert texts and "handoff_offer" not in slots(events) and slots(events)["route"] == "answered"
