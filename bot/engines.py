"""SQLAlchemy engines for SQLite and PostgreSQL, made one way for the whole project.

Three databases are reached through here, each with its own settings passed in: the store
(bot/store/db.py), Rasa's tracker and lock tables (bot/tracker_store.py, bot/lock_store.py) and the
console's read-only view of the tracker (bot/console/traffic.py). For SQLite, `pragmas` are set on
every new connection; a file database may keep its connections open (`keep_open`, a QueuePool:
SQLAlchemy 1.4 opens and closes the file for every session otherwise). For a server database
(PostgreSQL), `server_options` are passed to `create_engine` (by default a ping before reuse: the
server may have closed an idle connection).
"""

from __future__ import annotations

import threading
from pathlib import Path
from types import MappingProxyType
from typing import Any, Dict, Mapping, Optional

from sqlalchemy import event
from sqlalchemy.engine import Engine, create_engine, make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.pool import QueuePool

NO_PRAGMAS: Mapping[str, Any] = MappingProxyType({})
SERVER_DEFAULTS: Mapping[str, Any] = MappingProxyType({"pool_pre_ping": True})


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file(url: str) -> Optional[Path]:
    """The file of a SQLite URL; None for an in-memory database or another backend."""
    parsed: URL = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def make_engine(
    url: str,
    *,
    pragmas: Mapping[str, Any] = NO_PRAGMAS,
    keep_open: bool = True,
    make_dirs: bool = True,
    future: bool = True,
    server_options: Mapping[str, Any] = SERVER_DEFAULTS,
) -> Engine:
    """A new engine for `url`. SQLite: usable from any thread, `pragmas` (name -> value, in order)
    on every connection, a file's directory made (`make_dirs`) and its connections kept open
    (`keep_open`). Other backends: `server_options` for `create_engine`."""
    if not is_sqlite(url):
        return create_engine(url, future=future, **server_options)
    kwargs: Dict[str, Any] = {"future": future, "connect_args": {"check_same_thread": False}}
    path = sqlite_file(url)
    if path is not None:
        if make_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
        if keep_open:
            kwargs["poolclass"] = QueuePool
    engine = create_engine(url, **kwargs)
    if pragmas:
        statements = [f"PRAGMA {name}={value}" for name, value in pragmas.items()]

        def set_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            for statement in statements:
                cursor.execute(statement)
            cursor.close()

        event.listen(engine, "connect", set_pragmas)
    return engine


class EngineRegistry:
    """One engine (connection pool) per URL for the whole process, all made with the same options
    (those of `make_engine`). Each database role keeps a registry of its own, so a URL used for two
    roles (the cluster's one PostgreSQL database) gets an engine per role."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._engines: Dict[str, Engine] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> Engine:
        with self._lock:
            engine = self._engines.get(url)
            if engine is None:
                engine = self._engines[url] = make_engine(url, **self._options)
            return engine

    def dispose(self) -> None:
        """Close every pooled connection and forget the engines (tests, or before a fork)."""
        with self._lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def __len__(self) -> int:
        return len(self._engines)
