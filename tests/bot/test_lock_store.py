"""Rasa's conversation locks in SQL: tickets in order, shared by stores on the same database as
Rasa processes share them, never the same ticket twice under contention.

SQLite always; PostgreSQL too when TEST_POSTGRES_URL is set.
"""

import asyncio
import os
import threading
import time

import pytest
import sqlalchemy as sa
from rasa.core.lock_store import LockStore
from rasa.core.utils import number_of_sanic_workers
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from bot.lock_store import LOCKS, SQLLockStore
from tests.conftest import REPO_ROOT


@pytest.fixture
def url(events_url):
    engine = sa.create_engine(events_url)
    with engine.begin() as connection:
        LOCKS.drop(connection, checkfirst=True)
    engine.dispose()
    return events_url


@pytest.fixture
def open_store(url):
    """open_store() -> a new SQLLockStore on `url`, with an engine of its own (as each Rasa
    process has); all are closed at teardown."""
    stores = []

    def open_():
        stores.append(SQLLockStore(url=url))
        return stores[-1]

    yield open_
    for store in stores:
        store.engine.dispose()


def rows(store):
    with store.engine.connect() as connection:
        return connection.execute(sa.select(LOCKS.c.conversation_id)).scalars().all()


def two_messages(first, second, hold, wait):
    """Two messages of conversation c1: the first through `first` holding the lock `hold`
    seconds, the second through `second` 0.05 s later. The order in which they ran."""
    order = []

    async def handle(store, name, seconds):
        async with store.lock("c1", wait_time_in_seconds=wait):
            order.append(f"{name} starts")
            await asyncio.sleep(seconds)
            order.append(f"{name} ends")

    async def both():
        one = asyncio.create_task(handle(first, "one", hold))
        await asyncio.sleep(0.05)
        await handle(second, "two", 0)
        await one

    asyncio.run(both())
    return order


def test_tickets_are_served_in_the_order_they_were_issued(open_store):
    store = open_store()
    tickets = [store.issue_ticket("c1") for _ in range(3)]
    assert tickets == [0, 1, 2]
    assert store.get_lock("c1").now_serving == 0
    assert store.get_lock("c1").is_locked(1)
    store.cleanup("c1", 0)
    assert store.get_lock("c1").now_serving == 1
    store.cleanup("c1", 1)
    store.cleanup("c1", 2)
    assert store.get_lock("c1") is None and rows(store) == []  # the last ticket takes the row with it


def test_two_stores_on_one_database_share_the_locks(open_store):
    first, second = open_store(), open_store()
    assert first.issue_ticket("c1") == 0
    assert second.issue_ticket("c1") == 1  # the second process queues behind the first
    assert second.issue_ticket("c2") == 0  # another conversation is not held up
    assert second.get_lock("c1").is_locked(1)
    first.cleanup("c1", 0)
    assert not second.get_lock("c1").is_locked(1)


def test_expired_tickets_no_longer_hold_the_conversation(open_store):
    store = open_store()
    store.issue_ticket("c1", lock_lifetime=0.05)  # a process that died while answering
    ticket = store.issue_ticket("c1")
    assert store.get_lock("c1").is_locked(ticket)
    time.sleep(0.1)
    assert not store.get_lock("c1").is_locked(ticket)


def test_concurrent_processes_never_get_the_same_ticket(open_store):
    stores = [open_store() for _ in range(6)]
    issued, errors = [], []

    def take(store):
        try:
            for _ in range(25):
                issued.append(store.issue_ticket("busy", lock_lifetime=600))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=take, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(issued) == list(range(150))  # read-then-write without the lock gives duplicates
    assert len(stores[0].get_lock("busy").tickets) == 150


def test_rasas_lock_makes_a_second_message_wait_for_the_first(open_store):
    first, second = open_store(), open_store()
    order = two_messages(first, second, hold=0.2, wait=0.01)
    assert order == ["one starts", "one ends", "two starts", "two ends"]
    assert rows(first) == []


def test_a_live_holder_keeps_its_turn_past_the_lease(open_store, monkeypatch):
    """The holder renews its ticket: a turn longer than the lease is never overtaken."""
    monkeypatch.setenv("BOT_LOCK_LEASE", "0.2")
    first, second = open_store(), open_store()
    order = two_messages(first, second, hold=0.8, wait=0.02)  # four leases long
    assert order == ["one starts", "one ends", "two starts", "two ends"]


def test_a_dead_holders_ticket_lapses_after_the_lease(open_store, monkeypatch):
    """A process killed mid-turn renews nothing: the next message waits one lease, not Rasa's 60 s."""
    monkeypatch.setenv("BOT_LOCK_LEASE", "0.5")
    dead, live = open_store(), open_store()

    async def take_and_die():
        held = dead.lock("c1")
        await held.__aenter__()
        for task in asyncio.all_tasks() - {asyncio.current_task()}:
            task.cancel()  # the renewal dies with the process; the turn never ends
        return held

    loop = asyncio.new_event_loop()  # never closed: nothing runs the lock's clean-up
    held = loop.run_until_complete(take_and_die())
    assert dead.get_lock("c1").tickets[0].expires < time.time() + 1  # a lease, not Rasa's 60 s

    async def next_message():
        started = time.monotonic()
        async with live.lock("c1", wait_time_in_seconds=0.05):
            return time.monotonic() - started

    waited = asyncio.run(next_message())
    assert 0.2 < waited < 2
    assert rows(live) == []
    assert held is not None


def test_the_project_endpoints_let_rasa_run_several_workers(monkeypatch, tmp_path):
    monkeypatch.setenv("BOT_TRACKER_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    monkeypatch.setenv("SANIC_WORKERS", "2")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "secret")  # endpoints.yml names it
    config = read_endpoint_config(str(REPO_ROOT / "endpoints.yml"), "lock_store")
    assert number_of_sanic_workers(config) == 2
    store = LockStore.create(config)
    try:
        assert isinstance(store, SQLLockStore)
        assert store.issue_ticket("c1") == 0
    finally:
        store.engine.dispose()


def test_the_database_is_set_in_one_place_only():
    with pytest.raises(ValueError, match="BOT_TRACKER_URL"):
        SQLLockStore(EndpointConfig(url="sqlite:///elsewhere.db", type="bot.lock_store.SQLLockStore"))


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL not set (scripts/redis.sh)")
def test_the_leased_redis_store_from_endpoints_shares_and_renews_locks(monkeypatch, tmp_path):
    """The cluster set-up's lock store, built as Rasa builds it from deploy/endpoints-cluster.yml."""
    from urllib.parse import urlparse

    from rasa.core.lock_store import LockStore as RasaLockStore

    from bot.lock_store import LeasedRedisLockStore

    redis_url = urlparse(os.environ["TEST_REDIS_URL"])
    monkeypatch.setenv("BOT_LOCK_LEASE", "0.2")
    config = EndpointConfig(
        url=redis_url.hostname,
        type="bot.lock_store.LeasedRedisLockStore",
        port=str(redis_url.port),
        db="3",
        key_prefix=f"test{time.time_ns()}",
    )
    first, second = RasaLockStore.create(config), RasaLockStore.create(config)
    assert isinstance(first, LeasedRedisLockStore)
    order = two_messages(first, second, hold=0.8, wait=0.02)
    assert order == ["one starts", "one ends", "two starts", "two ends"]
    assert first.get_lock("c1") is None
