import asyncio

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import MaskingTrackerStore

ID = "11010519491231002X"
PHONE = "13912345678"


def test_saved_histories_never_hold_a_full_id_number_or_phone():
    domain = Domain.from_yaml("version: '3.1'\nslots:\n  s:\n    type: any\n    mappings: [{type: custom}]\n")
    store = MaskingTrackerStore(domain)
    tracker = DialogueStateTracker.from_events("u1", [
        UserUttered(f"我的身份证{ID}，电话{PHONE}", {"name": "inform", "confidence": 0.9},
                    [{"entity": "id_number", "value": ID, "start": 5, "end": 23}]),
        SlotSet("s", PHONE)])
    asyncio.run(store.save(tracker))
    stored = store.store["u1"]
    assert ID not in stored and PHONE not in stored
    assert "110105********002X" in stored and "139****5678" in stored
    again = asyncio.run(store.retrieve("u1"))
    assert again.latest_message.text == "我的身份证110105********002X，电话139****5678"
    assert len(again.events) == len(tracker.events)


def test_a_long_conversation_is_saved_and_read_back_whole():
    domain = Domain.from_yaml("version: '3.1'\nslots:\n  s:\n    type: any\n    mappings: [{type: custom}]\n")
    store = MaskingTrackerStore(domain)
    events = []
    for turn in range(60):
        events.append(UserUttered(f"第{turn}句 电话{PHONE}" if turn % 10 == 0 else f"第{turn}句",
                                  {"name": "inform", "confidence": 0.9}))
    tracker = DialogueStateTracker.from_events("u2", events)
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve("u2"))
    texts = [e.text for e in again.events if isinstance(e, UserUttered)]
    assert len(texts) == 60 and texts[1] == "第1句" and texts[10] == "第10句 电话139****5678"
    assert PHONE not in store.store["u2"]
