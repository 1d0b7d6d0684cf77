"""Rasa's conversation locks in SQL: tickets in order, shared by stores on the same database as
Rasa processes share them, never the same ticket twice under contention.

SQLite always; PostgreSQL too when TEST_POSTGRES_URL is set.
"""

import asyncio
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
    order = []

    async def handle(store, name, hold):
        async with store.lock("c1", wait_time_in_seconds=0.01):
            order.append(f"{name} starts")
            await asyncio.sleep(hold)
            order.append(f"{name} ends")

    async def both():
        one = asyncio.create_task(handle(first, "one", 0.2))
        await asyncio.sleep(0.05)
        await handle(second, "two", 0)
        await one

    asyncio.run(both())
    assert order == ["one starts", "one ends", "two starts", "two ends"]
    assert rows(first) == []


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
