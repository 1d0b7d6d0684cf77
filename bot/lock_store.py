"""Rasa's conversation locks in the conversation database, so that several Rasa processes share
the work of one machine (`SANIC_WORKERS`, set by scripts/run.sh) without a Redis server.

Rasa answers a conversation's messages one at a time: each message takes a ticket of the
conversation's `TicketLock` and waits until its ticket is served. Rasa's default lock store keeps
the locks in one process's memory, so with two processes a user's second message could be
answered from a history the first has not saved yet. Rasa therefore runs several workers only
with a lock store they share: its RedisLockStore (the scale-out set-up), or this one.

Each lock is one row of `conversation_locks`: the lock as Rasa serialises it. Every change is one
transaction that reads and writes the row holding the database's write lock (SQLite: `BEGIN
IMMEDIATE`; PostgreSQL: an advisory lock on the conversation for the transaction), so two
processes never hand out the same ticket. (Rasa's RedisLockStore reads, then writes.) A message
costs two short transactions: take a ticket (and see whether it is served), hand it back (the
row goes when nobody else waits).

Leases: Rasa gives every ticket a fixed lifetime (60 s), so when a process dies mid-turn the
conversation's next messages wait until the dead one's ticket expires. Here a ticket lives only
`BOT_LOCK_LEASE` seconds (default 5) and the process holding it renews it every quarter of that
while it waits or answers, for at most Rasa's lifetime in all: a killed process's ticket lapses
within the lease, and a live one never loses its turn. `LeasedRedisLockStore` does the same on
Rasa's RedisLockStore (the cluster set-up).

endpoints.yml: `lock_store: {type: bot.lock_store.SQLLockStore}`. The database is the one of the
conversation histories (`BOT_TRACKER_URL`, default `var/tracker.db`), with the same settings.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from typing import Any, AsyncIterator, Callable, Iterator, Optional, Text, Tuple, TypeVar

import redis
import sqlalchemy as sa
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore, RedisLockStore
from sqlalchemy.engine import Connection

from bot.redis_client import RETRIES, retry_kwargs
from bot.store.db import TRACKER_URL_ENV, tracker_url
from bot.tracker_store import create_table, create_tracker_engine

T = TypeVar("T")
LEASE_ENV = "BOT_LOCK_LEASE"
DEFAULT_LEASE = 5.0


def lease_seconds() -> float:
    return float(os.environ.get(LEASE_ENV, "") or DEFAULT_LEASE)


def _extend(lock: TicketLock, ticket_number: int, lease: float) -> bool:
    """Move the expiry of one ticket `lease` seconds ahead; False when it is gone (expired)."""
    for ticket in lock.tickets:
        if ticket.number == ticket_number:
            ticket.expires = time.time() + lease
            return True
    return False


class LeasedTicketLocks:
    """Rasa's LockStore operations, each one atomic read-change-write (`_change`, given by the
    store), with tickets that live `lease_seconds()` and are renewed by their live holder."""

    def _change(self, conversation_id: Text, change: Callable[[TicketLock], T], create: bool = False) -> Optional[T]:
        """Read, change and write back the conversation's lock so that no other process changes
        it in between; the lock goes when no ticket is left. Without a lock (and `create`
        false) nothing happens."""
        raise NotImplementedError

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        return self._issue(conversation_id, lock_lifetime)[0]

    def _issue(self, conversation_id: Text, lock_lifetime: float) -> Tuple[int, TicketLock]:
        """A new ticket, and the lock as it is right after."""
        try:
            return self._change(conversation_id, lambda lock: (lock.issue_ticket(lock_lifetime), lock), create=True)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    @contextlib.asynccontextmanager
    async def lock(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncIterator[TicketLock]:
        """As Rasa's `LockStore.lock`, with a renewed lease, and without reading the lock again
        when the new ticket is served at once (the usual case: nobody else is answering this
        conversation)."""
        lease = min(lease_seconds(), lock_lifetime)
        ticket, lock = self._issue(conversation_id, lease)
        renewal = asyncio.create_task(
            self._renew(conversation_id, ticket, lease, time.monotonic() + lock_lifetime - lease)
        )
        try:
            if lock.is_locked(ticket):
                lock = await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
            yield lock
        finally:
            renewal.cancel()
            self.cleanup(conversation_id, ticket)

    async def _renew(self, conversation_id: Text, ticket_number: int, lease: float, until: float) -> None:
        while time.monotonic() < until:
            await asyncio.sleep(lease / 4)
            try:
                if not await asyncio.to_thread(
                    self._change, conversation_id, lambda lock: _extend(lock, ticket_number, lease)
                ):
                    return
            except Exception:  # the store is briefly unreachable: the next round tries again
                continue

    def update_lock(self, conversation_id: Text) -> None:
        self._change(conversation_id, TicketLock.remove_expired_tickets)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Hand the ticket back; the lock goes with the last ticket (one change)."""
        self.finish_serving(conversation_id, ticket_number)


def _driver_autocommit(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


LOCKS = sa.Table(
    "conversation_locks",
    sa.MetaData(),
    sa.Column("conversation_id", sa.String(255), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),
)
_SELECT = sa.select(LOCKS.c.data).where(LOCKS.c.conversation_id == sa.bindparam("conversation_id"))
_UPDATE = LOCKS.update().where(LOCKS.c.conversation_id == sa.bindparam("key")).values(data=sa.bindparam("data"))
_DELETE = LOCKS.delete().where(LOCKS.c.conversation_id == sa.bindparam("conversation_id"))


class SQLLockStore(LeasedTicketLocks, LockStore):
    """Rasa's ticket locks, shared by every Rasa process using the same database."""

    def __init__(self, endpoint_config: Any = None, url: Optional[str] = None) -> None:
        if endpoint_config is not None and getattr(endpoint_config, "url", None):
            # One place to say where conversations are kept, as for the tracker store.
            raise ValueError(f"lock_store: set the database with {TRACKER_URL_ENV}, not `url:` in endpoints.yml")
        self.engine = create_tracker_engine(url or tracker_url())
        self._sqlite = self.engine.dialect.name == "sqlite"
        if self._sqlite:
            # SQLAlchemy's recipe for SQLite transactions it controls: the driver begins none of
            # its own, and each transaction takes the write lock at once (a reader that writes
            # later could lose its update to another process between the two).
            sa.event.listen(self.engine, "connect", _driver_autocommit)
            sa.event.listen(self.engine, "begin", _begin_immediate)
        create_table(self.engine, LOCKS)
        super().__init__()

    @contextlib.contextmanager
    def _locked(self, conversation_id: Text) -> Iterator[Connection]:
        """A transaction in which no other process changes this conversation's lock."""
        with self.engine.begin() as connection:
            if not self._sqlite:
                connection.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(conversation_id))))
            yield connection

    @staticmethod
    def _read(connection: Connection, conversation_id: Text) -> Optional[TicketLock]:
        data = connection.execute(_SELECT, {"conversation_id": conversation_id}).scalar()
        return TicketLock.from_dict(json.loads(data)) if data else None

    @staticmethod
    def _write(connection: Connection, lock: TicketLock) -> None:
        data = lock.dumps()
        if not connection.execute(_UPDATE, {"key": lock.conversation_id, "data": data}).rowcount:
            connection.execute(LOCKS.insert(), {"conversation_id": lock.conversation_id, "data": data})

    def _change(self, conversation_id: Text, change: Callable[[TicketLock], T], create: bool = False) -> Optional[T]:
        """LeasedTicketLocks._change in one transaction."""
        with self._locked(conversation_id) as connection:
            lock = self._read(connection, conversation_id)
            if lock is None:
                if not create:
                    return None
                lock = self.create_lock(conversation_id)
            result = change(lock)
            if lock.is_someone_waiting():
                self._write(connection, lock)
            else:
                connection.execute(_DELETE, {"conversation_id": conversation_id})
            return result

    # -- LockStore -----------------------------------------------------------------------------------

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        with self.engine.connect() as connection:
            return self._read(connection, conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        with self._locked(lock.conversation_id) as connection:
            self._write(connection, lock)

    def delete_lock(self, conversation_id: Text) -> None:
        with self._locked(conversation_id) as connection:
            deleted = connection.execute(_DELETE, {"conversation_id": conversation_id}).rowcount
        self._log_deletion(conversation_id, deletion_successful=bool(deleted))


class LeasedRedisLockStore(LeasedTicketLocks, RedisLockStore):
    """Rasa's RedisLockStore (locks shared by Rasa processes on several machines) with renewed
    leases instead of a fixed 60 s lifetime. endpoints.yml: `lock_store: {type:
    bot.lock_store.LeasedRedisLockStore, url: …, port: …}` (deploy/endpoints-cluster.yml)."""

    def __init__(self, endpoint_config: Any = None, **kwargs: Any) -> None:
        # Rasa builds a lock store named by its module path with `endpoint_config` only; the
        # settings are those of `type: redis` (url = the host, port, db, password, …).
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        for key in ("port", "db"):
            if key in kwargs:
                kwargs[key] = int(kwargs[key])  # ${…} from the environment arrives as text
        super().__init__(**kwargs)
        # Commands ride out a Redis restart (bot/redis_client.py); connections are made lazily
        # with the pool's settings.
        self.red.connection_pool.connection_kwargs.update(retry_kwargs())

    def _change(self, conversation_id: Text, change: Callable[[TicketLock], T], create: bool = False) -> Optional[T]:
        """LeasedTicketLocks._change as a Redis transaction: WATCH the key, MULTI/EXEC the write,
        again from the start when another process changed it meanwhile. (Rasa's own store reads,
        then writes: two processes could hand out the same ticket.)"""
        key = self.key_prefix + conversation_id
        # A refused connection (Redis restarting) fails a transaction before its commands are
        # retried (bot/redis_client.py): the whole transaction is tried again, for about 8 s.
        for pause in [0.05 * 2 ** min(i, 3) for i in range(RETRIES)]:
            try:
                return self._transaction(key, conversation_id, change, create)
            except redis.ConnectionError:
                time.sleep(pause)
        return self._transaction(key, conversation_id, change, create)

    def _transaction(
        self, key: str, conversation_id: Text, change: Callable[[TicketLock], T], create: bool
    ) -> Optional[T]:
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    data = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(data)) if data else None
                    if lock is None:
                        if not create:
                            pipe.unwatch()
                            return None
                        lock = self.create_lock(conversation_id)
                    result = change(lock)
                    pipe.multi()
                    if lock.is_someone_waiting():
                        pipe.set(key, lock.dumps())
                    else:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue
