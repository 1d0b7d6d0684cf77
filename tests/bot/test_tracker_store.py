"""The masking tracker store on SQL: what reaches the events table, read back as Rasa reads it.

SQLite always; PostgreSQL too when TEST_POSTGRES_URL is set (Rasa's `events` table is dropped first).
"""

import asyncio
import json
import sqlite3

import pytest
import sqlalchemy as sa
from rasa.core.brokers.file import FileEventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from bot.tracker_store import DEFAULT_URL, URL_ENV, MaskingTrackerStore, tracker_url
from tests.conftest import REPO_ROOT

ID = "11010519491231002X"
PHONE = "13912345678"
DOMAIN = Domain.from_yaml("version: '3.1'\nslots:\n  s:\n    type: any\n    mappings: [{type: custom}]\n")


@pytest.fixture
def url(events_url):
    return events_url


@pytest.fixture
def open_store(url):
    """open_store() -> a MaskingTrackerStore on `url`; each one is closed at teardown."""
    stores = []

    def open_(**kwargs):
        stores.append(MaskingTrackerStore(DOMAIN, url=url, **kwargs))
        return stores[-1]

    yield open_
    for store in stores:
        store.engine.dispose()


def rows(url):
    """Every row of the events table as it is on disk, oldest first."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return [dict(r._mapping) for r in connection.execute(sa.text("SELECT * FROM events ORDER BY id"))]
    finally:
        engine.dispose()


def personal_message():
    return UserUttered(
        f"我的身份证{ID}，电话{PHONE}",
        {"name": "inform", "confidence": 0.9},
        [
            {"entity": "id_number", "value": ID, "start": 5, "end": 23},
            {"entity": "phone", "value": PHONE, "start": 27, "end": 38},
        ],
    )


def test_saved_histories_never_hold_a_full_id_number_or_phone(url, open_store):
    store = open_store()
    tracker = DialogueStateTracker.from_events(
        "u1", [ActionExecuted("action_listen"), personal_message(), SlotSet("s", PHONE), SlotSet("s", int(PHONE))]
    )
    asyncio.run(store.save(tracker))
    on_disk = json.dumps(rows(url), default=str)
    assert ID not in on_disk and PHONE not in on_disk
    assert "110105********002X" in on_disk and "139****5678" in on_disk
    # The turn being handled keeps what was typed; only the saved copy is masked.
    assert tracker.latest_message.text == f"我的身份证{ID}，电话{PHONE}"
    again = asyncio.run(open_store().retrieve("u1"))  # a new store, as after a restart
    assert again.latest_message.text == "我的身份证110105********002X，电话139****5678"
    assert [e["value"] for e in again.latest_message.entities] == ["110105********002X", "139****5678"]
    assert again.get_slot("s") == "139****5678"
    assert len(again.events) == len(tracker.events)


def test_a_tickets_access_code_is_not_kept_in_the_history(url, open_store):
    """The receipt shows the 查询码 once; the stored history has it masked, in the bot's words and
    in the user's."""
    store = open_store()
    tracker = DialogueStateTracker.from_events(
        "u2",
        [
            ActionExecuted("action_listen"),
            BotUttered("已登记，工单号 QX-20230120-4821。查询码：483920（查进度时需要，请保存；忘了请拨打12333）。"),
            UserUttered(
                "查一下QX-20230120-4821的进度，查询码 ４８３９２０",
                {"name": "check_complaint_status", "confidence": 0.9},
            ),
        ],
    )
    asyncio.run(store.save(tracker))
    on_disk = json.dumps(rows(url), ensure_ascii=False, default=str)
    assert "483920" not in on_disk and "４８３９２０" not in on_disk
    again = asyncio.run(open_store().retrieve("u2"))
    bot, user = [e for e in again.events if isinstance(e, (BotUttered, UserUttered))]
    assert "工单号 QX-20230120-4821。查询码：******（" in bot.text and "12333" in bot.text
    assert user.text == "查一下QX-20230120-4821的进度，查询码 ******"


def test_each_event_is_stored_once(url, open_store):
    store = open_store()
    tracker = DialogueStateTracker.from_events("u3", [ActionExecuted("action_listen"), personal_message()])
    asyncio.run(store.save(tracker))
    asyncio.run(store.save(tracker))
    assert len(rows(url)) == 2
    tracker.update(SlotSet("s", "x"))
    asyncio.run(store.save(tracker))
    stored = rows(url)
    assert [r["type_name"] for r in stored] == ["action", "user", "slot"]
    assert [r["intent_name"] for r in stored] == [None, "inform", None]
    assert stored[0]["action_name"] == "action_listen" and stored[1]["sender_id"] == "u3"
    assert stored[1]["timestamp"] == pytest.approx(tracker.events[1].timestamp)


def test_a_long_conversation_is_saved_and_read_back_whole(url, open_store):
    store = open_store()
    tracker = DialogueStateTracker.from_events("u2", [])
    for turn in range(60):
        tracker.update(
            UserUttered(
                f"第{turn}句 电话{PHONE}" if turn % 10 == 0 else f"第{turn}句", {"name": "inform", "confidence": 0.9}
            )
        )
        asyncio.run(store.save(tracker))  # after every turn, as Rasa saves
    again = asyncio.run(store.retrieve("u2"))
    texts = [e.text for e in again.events if isinstance(e, UserUttered)]
    assert len(texts) == 60 and texts[1] == "第1句" and texts[10] == "第10句 电话139****5678"
    assert len(rows(url)) == 60 and PHONE not in json.dumps(rows(url))


def test_sessions_are_read_and_counted_as_rasa_does(url, open_store):
    def session(start, text):
        return [
            ActionExecuted("action_session_start", timestamp=start),
            SessionStarted(timestamp=start),
            ActionExecuted("action_listen", timestamp=start),
            UserUttered(text, {"name": "inform", "confidence": 0.9}, timestamp=start + 1),
        ]

    store = open_store()
    asyncio.run(store.save(DialogueStateTracker.from_events("u6", session(1, "旧") + session(100, "新"))))
    latest = asyncio.run(store.retrieve("u6"))
    assert len(latest.events) == 4 and latest.latest_message.text == "新"
    assert len(asyncio.run(store.retrieve_full_tracker("u6")).events) == 8
    # Rasa goes on from the latest session: only what is new is added.
    latest.update(UserUttered("再来", {"name": "inform", "confidence": 0.9}, timestamp=102))
    asyncio.run(store.save(latest))
    asyncio.run(store.save(latest))
    assert len(rows(url)) == 9
    # Rasa's own SQLTrackerStore reads the same table the same way.
    rasa_store = SQLTrackerStore(DOMAIN, host=url)
    try:
        for read in ("retrieve", "retrieve_full_tracker"):
            ours = asyncio.run(getattr(store, read)("u6"))
            theirs = asyncio.run(getattr(rasa_store, read)("u6"))
            assert [e.as_dict() for e in ours.events] == [e.as_dict() for e in theirs.events]
    finally:
        rasa_store.engine.dispose()


def test_the_event_broker_gets_the_masked_events(url, open_store, tmp_path):
    log = tmp_path / "events.log"
    store = open_store(event_broker=FileEventBroker(str(log)))
    tracker = DialogueStateTracker.from_events("u4", [ActionExecuted("action_listen"), personal_message()])
    asyncio.run(store.save(tracker))
    asyncio.run(store.save(tracker))  # nothing new: nothing published
    published = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(e["sender_id"], e["event"]) for e in published] == [("u4", "action"), ("u4", "user")]
    assert published[1]["text"] == "我的身份证110105********002X，电话139****5678"
    assert ID not in log.read_text(encoding="utf-8") and PHONE not in log.read_text(encoding="utf-8")


def test_sqlite_is_in_wal_mode(tmp_path):
    path = tmp_path / "wal" / "tracker.db"  # the folder is made
    store = MaskingTrackerStore(DOMAIN, url=f"sqlite:///{path}")
    asyncio.run(store.save(DialogueStateTracker.from_events("u5", [ActionExecuted("action_listen")])))
    store.engine.dispose()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


# ---- configuration ------------------------------------------------------------------------------


def test_the_url_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(URL_ENV, raising=False)
    assert tracker_url() == DEFAULT_URL == "sqlite:///var/tracker.db"
    monkeypatch.setenv(URL_ENV, "postgresql://u:p@db:5432/rasa")
    assert tracker_url() == "postgresql://u:p@db:5432/rasa"


def test_endpoints_yml_builds_the_store_on_bot_tracker_url(monkeypatch, tmp_path):
    monkeypatch.setenv(URL_ENV, f"sqlite:///{tmp_path / 'from-env.db'}")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "secret")  # endpoints.yml names it
    config = read_endpoint_config(str(REPO_ROOT / "endpoints.yml"), "tracker_store")
    store = TrackerStore.create(config, DOMAIN)
    try:
        assert isinstance(store, MaskingTrackerStore)  # not Rasa's silent in-memory fallback
        assert (tmp_path / "from-env.db").exists()
    finally:
        store.engine.dispose()


def test_a_url_in_endpoints_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv(URL_ENV, f"sqlite:///{tmp_path / 'from-env.db'}")
    config = EndpointConfig(url=f"sqlite:///{tmp_path / 'other.db'}", type="bot.tracker_store.MaskingTrackerStore")
    with pytest.raises(ValueError, match=URL_ENV):
        TrackerStore.create(config, DOMAIN)
