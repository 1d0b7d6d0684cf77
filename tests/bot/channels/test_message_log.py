"""The WeChat message log on both backends: the SQL store (SQLite, and PostgreSQL when
TEST_POSTGRES_URL is set) and Redis (when TEST_REDIS_URL is set: `make test` starts one)."""

import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.channels.message_log import ASYNC, DONE, RedisMessageLog, SqlMessageLog, message_log_from_env

BACKENDS = ["sql"] + (["redis"] if os.environ.get("TEST_REDIS_URL") else [])


@pytest.fixture(params=BACKENDS)
def make_log(request, store_url):
    """A factory: each call is a new log object (a new worker, or the bot after a restart)."""
    if request.param == "sql":
        yield lambda: SqlMessageLog(store_url)
        return
    prefix = f"test:{uuid.uuid4().hex}:"
    logs = []

    def make():
        logs.append(RedisMessageLog(os.environ["TEST_REDIS_URL"], prefix=prefix))
        return logs[-1]

    yield make
    for key in logs[0].client.scan_iter(match=prefix + "*"):
        logs[0].client.delete(key)


def test_the_first_claim_wins_and_later_ones_see_its_answer(make_log):
    log = make_log()
    assert log.claim("msg:1") is None
    assert log.claim("msg:1").status == "pending"
    log.finish("msg:1", DONE, "留工补助500元")
    again = log.claim("msg:1")
    assert (again.status, again.reply) == (DONE, "留工补助500元")


def test_twenty_workers_claiming_one_message_let_exactly_one_through(make_log):
    logs = [make_log() for _ in range(20)]
    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda log: log.claim("msg:race"), logs))
    assert sum(result is None for result in results) == 1


def test_the_log_survives_a_restart(make_log):
    make_log().finish("msg:2", ASYNC)
    restarted = make_log()
    assert restarted.get("msg:2").status == ASYNC and restarted.claim("msg:2").status == ASYNC
    assert restarted.get("msg:never") is None


def test_the_access_token_is_kept_for_every_worker(make_log):
    first, second = make_log(), make_log()
    assert second.get_access_token("wx1") is None
    first.put_access_token("wx1", "token-1", 2_000_000_000.5)
    assert second.get_access_token("wx1") == ("token-1", 2_000_000_000.5)
    second.put_access_token("wx1", "token-2", 2_000_000_100.0)  # renewed by another worker
    assert first.get_access_token("wx1") == ("token-2", 2_000_000_100.0)
    assert first.get_access_token("wx2") is None
    assert first.count() == 0  # not a message


def test_workers_keeping_their_first_token_at_once_all_succeed(make_log):
    logs = [make_log() for _ in range(10)]
    with ThreadPoolExecutor(10) as pool:
        list(pool.map(lambda i: logs[i].put_access_token("wx1", f"token-{i}", 2_000_000_000.0 + i), range(10)))
    token, expires_at = logs[0].get_access_token("wx1")
    assert token == f"token-{int(expires_at - 2_000_000_000)}"  # one whole write won


def test_the_backend_is_chosen_by_the_environment(monkeypatch, store_url):
    monkeypatch.setenv("DATABASE_URL", store_url)
    monkeypatch.delenv("WECHAT_REDIS_URL", raising=False)
    assert isinstance(message_log_from_env(), SqlMessageLog)
    monkeypatch.setenv("WECHAT_REDIS_URL", "redis://127.0.0.1:1/0")
    assert isinstance(message_log_from_env(), RedisMessageLog)
