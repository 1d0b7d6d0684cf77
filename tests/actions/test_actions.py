"""Action tests: real trackers from JSON fixtures, the real policy data, no Rasa server."""

import json
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionAnswerPolicy

FIXTURES = Path(__file__).parent / "fixtures"


def load_tracker(name: str) -> Tracker:
    return Tracker.from_dict(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


async def run(action, tracker_name):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, load_tracker(tracker_name), domain={})
    return [m["text"] for m in dispatcher.messages], events


@pytest.mark.parametrize(
    "day, expected",
    [
        ("2023-01-20", "正在进行中，截至2023年1月31日"),
        ("2026-11-23", "已于2023年1月31日结束"),
        ("2023-01-10", "将于2023年1月16日开始"),
    ],
)
async def test_answer_depends_on_bot_today(today, day, expected):
    today(day)
    texts, events = await run(ActionAnswerPolicy(), "voucher_shengsi")
    assert len(texts) == 1 and expected in texts[0]
    assert texts[0].endswith("（依据：嵊人社发〔2022〕35号 第6条）")
    assert SlotSet("region", "shengsi") in events and SlotSet("topic", "consumption_voucher") in events


async def test_follow_up_uses_slots(today):
    today("2023-01-20")
    texts, events = await run(ActionAnswerPolicy(), "followup_after_retention_bonus")
    assert "节前代发、节后申领" in texts[0]
    assert SlotSet("topic", "retention_bonus") in events


async def test_unknown_region_answers_both_notices_without_asking_first(today, monkeypatch):
    monkeypatch.delenv("BOT_DEFAULT_REGION", raising=False)
    today("2023-01-20")
    texts, events = await run(ActionAnswerPolicy(), "voucher_region_unknown")
    assert "请问您在" not in texts[0] and "嵊泗县" in texts[0] and "江苏省" in texts[0]
    assert "第6条" in texts[0] and "五（一）" in texts[0]
    assert SlotSet("topic", "consumption_voucher") in events and SlotSet("region", None) in events
    assert SlotSet("route", "answered") in events


async def test_clarify_offers_closest_topics():
    texts, events = await run(ActionAnswerPolicy(), "low_confidence")
    assert "1. 一次性留工补助" in texts[0] and "2. 快递外卖稳岗补贴" in texts[0]
    assert SlotSet("route", "answered") in events and not any(e["name"] == "handoff_offer" for e in events)


def message_tracker(text: str, intent: str, **slots) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": [], "intent_ranking": []}
    return Tracker(
        "t", slots, message, [{"event": "user", "text": text, "parse_data": message}], False, None, {}, "action_listen"
    )


async def answer(text: str, intent: str, **slots):
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerPolicy().run(dispatcher, message_tracker(text, intent, **slots), domain={})
    return [m["text"] for m in dispatcher.messages], {e["name"]: e["value"] for e in events}


async def test_out_of_scope_says_what_is_covered():
    texts, slots = await answer("帮我订张船票", "out_of_scope")
    assert "嵊泗县" in texts[0] and "江苏省" in texts[0] and "12333" in texts[0]
    assert slots["route"] == "answered"


async def test_a_short_follow_up_the_nlu_called_out_of_scope_is_answered_for_the_topic(today):
    today("2023-01-20")
    texts, slots = await answer("一个人给多少", "out_of_scope", topic="consumption_voucher", region="shengsi")
    assert "1000元" in texts[0] and "第6条" in texts[0] and "不在我的解答范围" not in texts[0]


@pytest.mark.parametrize(
    "text, intent, route",
    [
        ("我要投诉，老板欠了我三个月工资", "complain_wage_arrears", "complaint_form"),
        (
            "我们是嵊泗一家民营水产公司，年后想包大巴去安徽把工人接回来，政府给不给补贴",
            "complain_wage_arrears",
            "answered",
        ),
        ("帮我查查我能不能领留工补助", "check_eligibility", "eligibility_form"),
        ("我12月的社保是在老家交的，还能领留工补助吗", "check_eligibility", "answered"),
        ("我的投诉办到哪了", "check_complaint_status", "status_form"),
        ("你说的啥俺都看不懂，有没有真人", "inform", "callback_form"),
    ],
)
async def test_the_turn_is_routed_to_the_form_that_takes_it_or_answered(today, text, intent, route):
    today("2023-01-20")
    _, slots = await answer(text, intent)
    assert slots["route"] == route


async def test_a_failing_dialogue_still_gives_a_reply(monkeypatch):
    from bot.dialogue import PolicyDialogue

    def broken(self, turn, today):
        raise RuntimeError("bug")

    monkeypatch.setattr(PolicyDialogue, "respond", broken)
    texts, slots = await answer("消费券还能用几天", "ask_consumption_voucher")
    assert texts and "12333" in texts[0] and slots["route"] == "answered"
