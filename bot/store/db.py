"""Engines, short-lived sessions and migrations for the store.

`DATABASE_URL` picks the database; the default is the SQLite file `var/bot.db` in the project.
Never share one session between requests: use `session_scope()` for each unit of work.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Dict, Iterator, Optional

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine, create_engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'bot.db'}"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_engines: Dict[str, Engine] = {}
_lock = threading.Lock()


class StoreError(RuntimeError):
    """The store cannot be reached or is not migrated; the message is for people."""


def database_url(url: Optional[str] = None) -> str:
    return url or os.environ.get("DATABASE_URL") or DEFAULT_URL


# Rasa's tracker store (bot/tracker_store.py) is a database of its own; the console reads it too.
TRACKER_URL_ENV = "BOT_TRACKER_URL"
TRACKER_DEFAULT_URL = "sqlite:///var/tracker.db"


def tracker_url() -> str:
    """Where conversation histories are kept: `BOT_TRACKER_URL`, else `var/tracker.db`."""
    return os.environ.get(TRACKER_URL_ENV) or TRACKER_DEFAULT_URL


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # a filed ticket survives power loss too
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def get_engine(url: Optional[str] = None) -> Engine:
    """One engine (connection pool) per URL for the whole process."""
    url = database_url(url)
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            parsed = make_url(url)
            kwargs: Dict[str, object] = {"future": True}
            if parsed.get_backend_name() == "sqlite":
                if parsed.database and parsed.database != ":memory:":
                    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                    # Keep connections open: SQLAlchemy 1.4 opens the file (and sets the pragmas
                    # below) for every session otherwise, a third of a short session's time.
                    kwargs["poolclass"] = QueuePool
                kwargs["connect_args"] = {"check_same_thread": False}
            else:
                kwargs["pool_pre_ping"] = True  # a server may have closed an idle connection
            engine = create_engine(url, **kwargs)
            if parsed.get_backend_name() == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _migrated.clear()


def session_factory(url: Optional[str] = None) -> sessionmaker:
    return sessionmaker(get_engine(url), future=True, expire_on_commit=False)


@contextlib.contextmanager
def session_scope(url: Optional[str] = None) -> Iterator[Session]:
    """A session for one unit of work: committed on success, rolled back on error, closed."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: Optional[str] = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    return config


def migrate(url: Optional[str] = None) -> None:
    """Bring the schema to the newest migration (creates the tables on a new database)."""
    from alembic import command

    engine = get_engine(url)
    with engine.begin() as connection:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


_migrated: set = set()
_migrate_lock = threading.Lock()


def ensure_migrated(url: Optional[str] = None) -> None:
    """Migrate once per database and process (cheap after the first call)."""
    key = database_url(url)
    if key in _migrated:
        return
    with _migrate_lock:
        if key in _migrated:
            return
        migrate(url)
        _migrated.add(key)


def is_migrated(url: Optional[str] = None) -> bool:
    return "alembic_version" in inspect(get_engine(url)).get_table_names()
