"""bot/engines.py: the one way engines are made, with each database's settings passed in."""

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.pool import NullPool, QueuePool

from bot.engines import EngineRegistry, make_engine, sqlite_file


def pragma(engine, name):
    with engine.connect() as connection:
        return connection.execute(text(f"PRAGMA {name}")).scalar()


def test_sqlite_pragmas_on_every_connection_in_order(tmp_path):
    url = f"sqlite:///{tmp_path / 'deep' / 'dir' / 'x.db'}"
    engine = make_engine(url, pragmas={"foreign_keys": "ON", "journal_mode": "WAL", "busy_timeout": 1234})
    assert (tmp_path / "deep" / "dir").is_dir()  # the directory is made
    assert isinstance(engine.pool, QueuePool)  # connections kept open
    assert pragma(engine, "foreign_keys") == 1
    assert pragma(engine, "journal_mode") == "wal"
    assert pragma(engine, "busy_timeout") == 1234
    engine.dispose()


def test_sqlite_reader_options(tmp_path):
    url = f"sqlite:///{tmp_path / 'missing' / 'x.db'}"
    engine = make_engine(url, pragmas={"query_only": "ON"}, keep_open=False, make_dirs=False)
    assert not (tmp_path / "missing").exists()
    assert isinstance(engine.pool, NullPool)  # SQLAlchemy 1.4's default for a file


def test_usable_from_another_thread(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    errors = []

    def use():
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # pragma: no cover - the failure is reported below
            errors.append(error)

    thread = threading.Thread(target=use)
    thread.start()
    thread.join()
    assert errors == []


def test_future_flag():
    assert make_engine("sqlite://").__class__.__module__ == "sqlalchemy.future.engine"
    assert make_engine("sqlite://", future=False).__class__.__module__ == "sqlalchemy.engine.base"


@pytest.mark.parametrize(
    "url, path",
    [("sqlite://", None), ("sqlite:///:memory:", None), ("postgresql://u@h/db", None), ("sqlite:///a/b.db", "a/b.db")],
)
def test_sqlite_file(url, path):
    assert sqlite_file(url) == (None if path is None else Path(path))


def test_server_options_passed(monkeypatch):
    seen = {}

    def fake_create_engine(url, **kwargs):
        seen.update(kwargs, url=url)
        return object()

    monkeypatch.setattr("bot.engines.create_engine", fake_create_engine)
    make_engine("postgresql://u@h/db", server_options={"pool_pre_ping": True, "pool_size": 3}, pragmas={"x": 1})
    assert seen == {"url": "postgresql://u@h/db", "future": True, "pool_pre_ping": True, "pool_size": 3}


def test_registry_one_engine_per_url_and_role(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    writer, reader = EngineRegistry(), EngineRegistry(pragmas={"query_only": "ON"})
    assert writer.get(url) is writer.get(url)
    assert reader.get(url) is not writer.get(url)
    assert pragma(reader.get(url), "query_only") == 1
    assert pragma(writer.get(url), "query_only") == 0
    writer.dispose()
    assert len(writer) == 0 and len(reader) == 1
    reader.dispose()
