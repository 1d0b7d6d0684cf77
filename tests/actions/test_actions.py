"""Action tests: real trackers from JSON fixtures, the real policy data, no Rasa server."""

import json
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionAnswerPolicy, ActionClarify, ActionOutOfScope

FIXTURES = Path(__file__).parent / "fixtures"


def load_tracker(name: str) -> Tracker:
    return Tracker.from_dict(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


async def run(action, tracker_name):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, load_tracker(tracker_name), domain={})
    return [m["text"] for m in dispatcher.messages], events


@pytest.mark.parametrize("day, expected", [("2023-01-20", "正在进行中，截至2023年1月31日"),
                                           ("2026-11-23", "已于2023年1月31日结束"),
                                           ("2023-01-10", "将于2023年1月16日开始")])
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


async def test_unknown_region_asks(today, monkeypatch):
    monkeypatch.delenv("BOT_DEFAULT_REGION", raising=False)
    today("2023-01-20")
    texts, events = await run(ActionAnswerPolicy(), "voucher_region_unknown")
    assert "请问您在" in texts[0]
    assert SlotSet("topic", "consumption_voucher") in events and SlotSet("region", None) in events


async def test_clarify_offers_closest_topics():
    texts, events = await run(ActionClarify(), "low_confidence")
    assert "1. 一次性留工补助" in texts[0] and "2. 快递外卖稳岗补贴" in texts[0]
    assert [(e["name"], e["value"]) for e in events] == [("handoff_offer", False)]


async def test_out_of_scope_says_what_is_covered():
    texts, _ = await run(ActionOutOfScope(), "low_confidence")
    assert "嵊泗县" in texts[0] and "江苏省" in texts[0] and "12333" in texts[0]
