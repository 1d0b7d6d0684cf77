"""A tracker store that never keeps a full ID number or mobile number.

Rasa keeps every user message in the conversation history (and serves it through the HTTP API
and `rasa export`). This store masks ID numbers and phones before events are saved; the turn
being handled still sees the message as typed, so a form can read an ID once and keep only its
masked form. Configure in endpoints.yml: `tracker_store: {type: bot.tracker_store.MaskingTrackerStore}`.

The events go into Rasa's SQL `events` table (one row per event), so histories survive a restart
and the staff console (bot/console/traffic.py, another process) can read recent turns.
`BOT_TRACKER_URL` picks the database; the default is the SQLite file `var/tracker.db` under the
working directory.
"""

from __future__ import annotations

import itertools
import json
import logging
from typing import Any, Dict, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore, create_engine_kwargs
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.engines import make_engine
from bot.store.db import TRACKER_DEFAULT_URL as DEFAULT_URL  # noqa: F401 (re-exported)
from bot.store.db import TRACKER_URL_ENV as URL_ENV
from bot.store.db import tracker_url
from bot.text.mask import mask_data, mask_for_storage

logger = logging.getLogger(__name__)


# WAL: the console reads in another process while Rasa writes, neither waits for the other.
# In WAL mode synchronous=NORMAL never corrupts the file; a power cut may lose the last turns, no more.
TRACKER_PRAGMAS = {"journal_mode": "WAL", "synchronous": "NORMAL", "busy_timeout": 10000}


def create_tracker_engine(url: str) -> Engine:
    """The engine of the events table: Rasa's pool settings for PostgreSQL; for SQLite, one
    kept-open connection pool (SQLAlchemy 1.4 would open and close the file for every session)
    with WAL and a busy timeout on every connection. Not future-style: Rasa's ORM code uses it."""
    return make_engine(
        url,
        pragmas=TRACKER_PRAGMAS,
        future=False,
        server_options={"pool_pre_ping": True, **create_engine_kwargs(url)},
    )


def create_table(engine: Engine, table: sa.Table) -> None:
    """Create `table` unless it exists. Rasa processes started together race to create it;
    losing the race is fine."""
    try:
        table.create(engine, checkfirst=True)
    except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
        if not sa.inspect(engine).has_table(table.name):
            raise


# Rasa's events table, and the rows of a conversation's latest session as
# SQLTrackerStore._event_query selects them (from its last SessionStarted on, or all if none).
# Built once: SQLAlchemy caches their compiled form, where Rasa builds an ORM query per call.
EVENTS = SQLTrackerStore.SQLEvent.__table__
_SENDER = sa.bindparam("sender_id")
_SESSION_START = (
    sa.select(sa.func.max(EVENTS.c.timestamp))
    .where(EVENTS.c.sender_id == _SENDER, EVENTS.c.type_name == SessionStarted.type_name)
    .scalar_subquery()
)
_LATEST_SESSION = sa.and_(
    EVENTS.c.sender_id == _SENDER, sa.or_(_SESSION_START.is_(None), EVENTS.c.timestamp >= _SESSION_START)
)
_COUNT_LATEST_SESSION = sa.select(sa.func.count()).select_from(EVENTS).where(_LATEST_SESSION)
_DATA_LATEST_SESSION = sa.select(EVENTS.c.data).where(_LATEST_SESSION).order_by(EVENTS.c.id)
_DATA_ALL_SESSIONS = sa.select(EVENTS.c.data).where(EVENTS.c.sender_id == _SENDER).order_by(EVENTS.c.id)


class MaskingTrackerStore(SQLTrackerStore):
    """Rasa's SQLTrackerStore on the engine of `tracker_url()`: the same table, rows and
    sessions, saving only masked events; reads and writes with prebuilt Core statements."""

    def __init__(
        self,
        domain: Any = None,
        event_broker: Any = None,
        url: Optional[str] = None,
        host: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        # Rasa passes the endpoints' `url:` as `host`. The console finds the database through
        # BOT_TRACKER_URL only, so a second place to configure it would split the two.
        if host:
            raise ValueError(f"tracker_store: set the database with {URL_ENV}, not `url:` in endpoints.yml")
        # Not SQLTrackerStore.__init__: it builds the engine from dialect/host/db parts with no
        # hook for connect-time settings. Everything after the engine is as Rasa does it.
        self.engine = create_tracker_engine(url or tracker_url())
        create_table(self.engine, EVENTS)
        self.sessionmaker = sessionmaker(bind=self.engine)
        TrackerStore.__init__(self, domain, event_broker, **kwargs)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        """As SQLTrackerStore reads a conversation, without an ORM object per event."""
        query = _DATA_ALL_SESSIONS if fetch_events_from_all_sessions else _DATA_LATEST_SESSION
        with self.engine.connect() as connection:
            rows = connection.execute(query, {"sender_id": sender_id}).scalars()
            events = [json.loads(data) for data in rows]
        if not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Add the events not stored yet, each serialised once and masked: no re-parsing into
        events, no full copy of the tracker per turn, one INSERT for all (no ORM objects)."""
        with self.engine.begin() as connection:
            stored = connection.execute(_COUNT_LATEST_SESSION, {"sender_id": tracker.sender_id}).scalar()
            new = [
                (event.type_name, mask_data(event.as_dict(), mask_for_storage))
                for event in itertools.islice(tracker.events, stored, None)
            ]
            if new:
                connection.execute(
                    EVENTS.insert(), [_row(tracker.sender_id, type_name, data) for type_name, data in new]
                )
        if self.event_broker:  # brokers get the masked events too, once they are stored
            for _, data in new:
                self.event_broker.publish({"sender_id": tracker.sender_id, **data})
        logger.debug(f"Tracker with sender_id '{tracker.sender_id}' stored to database")


def _row(sender_id: str, type_name: str, data: Dict[str, Any]) -> Dict[str, Any]:
    """The events row of one (masked) event, as SQLTrackerStore.save fills it."""
    intent = ((data.get("parse_data") or {}).get("intent") or {}).get(INTENT_NAME_KEY)
    return {
        "sender_id": sender_id,
        "type_name": type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": intent,
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }
