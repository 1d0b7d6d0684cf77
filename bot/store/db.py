"""Engines, short-lived sessions and migrations for the store.

`DATABASE_URL` picks the database; the default is the SQLite file `var/bot.db` in the project.
Never share one session between requests: use `session_scope()` for each unit of work.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Iterator, Optional

from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.engines import EngineRegistry

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'bot.db'}"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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


# Every SQLite connection of the store: foreign keys enforced, WAL, and a filed ticket survives
# power loss too (synchronous=FULL).
STORE_PRAGMAS = {"foreign_keys": "ON", "journal_mode": "WAL", "synchronous": "FULL", "busy_timeout": 10000}
_engines = EngineRegistry(pragmas=STORE_PRAGMAS)


def get_engine(url: Optional[str] = None) -> Engine:
    """One engine (connection pool) per URL for the whole process."""
    return _engines.get(database_url(url))


def dispose_engines() -> None:
    _engines.dispose()
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
