"""The console's reading of Rasa's events table: conversations saved through MaskingTrackerStore,
as Rasa saves them, then read back. SQLite always; PostgreSQL too when TEST_POSTGRES_URL is set."""

import asyncio
import datetime as dt
import json
import sqlite3
import time

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.console import traffic
from bot.console.traffic import ReviewTurn, TrafficStats, review_queue, review_turn, traffic_stats
from bot.tracker_store import URL_ENV, MaskingTrackerStore

START = dt.datetime(2023, 1, 20, 1, 0, tzinfo=dt.timezone.utc)  # the first message


@pytest.fixture
def url(events_url):
    return events_url


def user(text, minute, intent, confidence, ranking):
    """A user message as the NLU pipeline leaves it, `minute` minutes after START."""
    ranking = [{"name": name, "confidence": c} for name, c in ranking]
    return UserUttered(
        text,
        {"name": intent, "confidence": confidence},
        parse_data={"intent_ranking": ranking},
        timestamp=(START + dt.timedelta(minutes=minute)).timestamp(),
    )


def fallback(text, minute, ranking):
    """What the FallbackClassifier leaves: nlu_fallback predicted and put first in the ranking."""
    return user(text, minute, "nlu_fallback", 0.45, [("nlu_fallback", 0.45), *ranking])


CONVERSATIONS = {
    "alice": [
        user(
            "留工补助怎么领", 0, "ask_benefit_howto", 0.97, [("ask_benefit_howto", 0.97), ("ask_benefit_amount", 0.02)]
        ),
        user(
            "那个钱啥时候到",
            1,
            "ask_benefit_amount",
            0.52,
            [
                ("ask_benefit_amount", 0.52),
                ("ask_benefit_howto", 0.30),
                ("greet", 0.1),
                ("bot_challenge", 0.04),
                ("inform", 0.02),
                ("goodbye", 0.01),
                ("deny", 0.01),
            ],
        ),
        fallback("我电话13912345678你打给我", 2, [("inform", 0.40), ("request_callback", 0.35)]),
    ],
    "bob": [
        user("消费券现在还能用吗", 3, "ask_benefit_howto", 0.91, [("ask_benefit_howto", 0.91)]),
        fallback("嗯嗯嗯", 4, [("ask_benefit_howto", 0.38), ("affirm", 0.36)]),
        user("江苏的呢", 60, "inform", 0.58, [("inform", 0.58), ("ask_benefit_howto", 0.4)]),
    ],
}


@pytest.fixture
def saved(url):
    """The conversations saved turn by turn (with the bot's actions in between); the event ids
    of the user messages by text."""
    domain = Domain.from_yaml("version: '3.1'\nintents: [greet]\n")
    store = MaskingTrackerStore(domain, url=url)
    for sender, messages in CONVERSATIONS.items():
        tracker = DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen")])
        for message in messages:
            tracker.update(message)
            asyncio.run(store.save(tracker))
            tracker.update(ActionExecuted("utter_answer", timestamp=message.timestamp + 1))
            tracker.update(BotUttered("好的", timestamp=message.timestamp + 1))
            tracker.update(ActionExecuted("action_listen", timestamp=message.timestamp + 1))
            asyncio.run(store.save(tracker))
    store.engine.dispose()
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        users = connection.execute(sa.text("SELECT id, data FROM events WHERE type_name = 'user'")).all()
    engine.dispose()
    return {json.loads(data)["text"]: event_id for event_id, data in users}


# ---- the review queue ---------------------------------------------------------------------------


def test_the_queue_holds_fallbacks_and_unsure_turns_newest_first(url, saved):
    queue = review_queue(url, threshold=0.6)
    assert [t.text for t in queue] == ["江苏的呢", "嗯嗯嗯", "我电话139****5678你打给我", "那个钱啥时候到"]
    assert [t.event_id for t in queue] == sorted((t.event_id for t in queue), reverse=True)
    assert [t.fell_back for t in queue] == [False, True, True, False]
    # A fallback is in the queue whatever the threshold; a low confidence only below it.
    assert [t.text for t in review_queue(url, threshold=0.3)] == ["嗯嗯嗯", "我电话139****5678你打给我"]
    assert len(review_queue(url, threshold=0.99)) == 6


def test_a_turn_carries_what_the_model_said(url, saved):
    turn = next(t for t in review_queue(url) if t.text == "那个钱啥时候到")
    assert turn == ReviewTurn(
        event_id=saved["那个钱啥时候到"],
        sender_id="alice",
        at=START + dt.timedelta(minutes=1),
        text="那个钱啥时候到",
        intent="ask_benefit_amount",
        confidence=0.52,
        ranking=(
            ("ask_benefit_amount", 0.52),
            ("ask_benefit_howto", 0.30),
            ("greet", 0.1),
            ("bot_challenge", 0.04),
            ("inform", 0.02),
        ),
        fell_back=False,
    )
    assert turn.at.tzinfo == dt.timezone.utc
    fell_back = review_turn(saved["嗯嗯嗯"], url)
    assert (fell_back.intent, fell_back.confidence, fell_back.fell_back) == ("nlu_fallback", 0.45, True)
    assert fell_back.ranking == (("ask_benefit_howto", 0.38), ("affirm", 0.36))  # nlu_fallback left out


def test_paging_and_excluded_turns(url, saved):
    everything = [t.event_id for t in review_queue(url, threshold=0.99)]
    assert [t.event_id for t in review_queue(url, threshold=0.99, limit=2)] == everything[:2]
    assert [t.event_id for t in review_queue(url, threshold=0.99, limit=2, offset=2)] == everything[2:4]
    assert review_queue(url, threshold=0.99, offset=6) == []
    labelled = {saved["嗯嗯嗯"], saved["江苏的呢"]}
    assert [t.event_id for t in review_queue(url, threshold=0.99, exclude_ids=labelled)] == [
        i for i in everything if i not in labelled
    ]
    # Thousands of labelled turns: more than SQLite takes as parameters of one statement.
    many = set(range(100_000, 140_000)) | {saved["江苏的呢"]}
    assert [t.text for t in review_queue(url, limit=1, exclude_ids=many)] == ["嗯嗯嗯"]


def test_one_turn_by_its_id(url, saved):
    turn = review_turn(saved["我电话139****5678你打给我"], url)
    assert turn.sender_id == "alice" and turn.text == "我电话139****5678你打给我"
    assert review_turn(saved["留工补助怎么领"], url).confidence == 0.97  # not in the queue, still found
    assert review_turn(saved["留工补助怎么领"] - 1, url) is None  # the action_listen before it
    assert review_turn(10**6, url) is None


# ---- the dashboard ------------------------------------------------------------------------------


def test_traffic_counts_messages_fallbacks_and_the_original_top_intents(url, saved):
    stats = traffic_stats(url)
    assert (stats.user_messages, stats.fallbacks) == (6, 2)
    assert stats.fallback_rate == pytest.approx(2 / 6)
    # The fallbacks count under the intent the model ranked first before falling back.
    assert stats.intent_counts == {"ask_benefit_howto": 3, "inform": 2, "ask_benefit_amount": 1}
    assert list(stats.intent_counts) == ["ask_benefit_howto", "inform", "ask_benefit_amount"]


def test_traffic_since(url, saved):
    later = traffic_stats(url, since=START + dt.timedelta(minutes=3))
    assert (later.user_messages, later.fallbacks) == (3, 1)
    assert later.intent_counts == {"ask_benefit_howto": 2, "inform": 1}
    naive = traffic_stats(url, since=dt.datetime(2023, 1, 20, 2, 0))  # naive: UTC
    assert (naive.user_messages, naive.intent_counts) == (1, {"inform": 1})
    nothing = traffic_stats(url, since=START + dt.timedelta(days=1))
    assert nothing == TrafficStats(0, 0, {}) and nothing.fallback_rate == 0.0


# ---- before Rasa has run, and while it writes ---------------------------------------------------


def test_no_table_yet_reads_as_no_traffic(url, tmp_path, monkeypatch):
    for empty in (url, f"sqlite:///{tmp_path / 'never-created.db'}"):
        assert review_queue(empty) == [] and review_turn(1, empty) is None
        assert traffic_stats(empty) == TrafficStats(0, 0, {})
    assert not (tmp_path / "never-created.db").exists()  # reading creates no file
    monkeypatch.setenv(URL_ENV, f"sqlite:///{tmp_path / 'from-env.db'}")
    assert review_queue() == [] and traffic_stats().user_messages == 0


def test_the_default_url_is_bot_tracker_url(url, saved, monkeypatch):
    monkeypatch.setenv(URL_ENV, url)
    assert traffic_stats().user_messages == 6 and len(review_queue()) == 4


def test_rasa_and_a_reader_do_not_wait_for_each_other(tmp_path):
    path = tmp_path / "busy.db"
    url = f"sqlite:///{path}"
    store = MaskingTrackerStore(Domain.empty(), url=url)
    tracker = DialogueStateTracker.from_events("carol", [user("在吗", 0, "greet", 0.4, [("greet", 0.4)])])
    asyncio.run(store.save(tracker))
    # Rasa in the middle of a write: the console reads what was committed, at once.
    with store.engine.connect() as writer:
        transaction = writer.begin()
        writer.execute(sa.text("INSERT INTO events (sender_id, type_name, data) VALUES ('dave', 'slot', '{}')"))
        started = time.monotonic()
        assert [t.text for t in review_queue(url)] == ["在吗"]
        assert time.monotonic() - started < 1
        transaction.rollback()
    # A reader in the middle of a read (another process): Rasa commits without waiting for it.
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM events").fetchone() == (1,)
    tracker.update(user("有人吗", 1, "greet", 0.3, [("greet", 0.3)]))
    started = time.monotonic()
    asyncio.run(store.save(tracker))
    assert time.monotonic() - started < 1
    assert reader.execute("SELECT count(*) FROM events").fetchone() == (1,)  # its snapshot
    reader.execute("COMMIT")
    reader.close()
    assert [t.text for t in review_queue(url)] == ["有人吗", "在吗"]
    store.engine.dispose()
    traffic.dispose_engines()
