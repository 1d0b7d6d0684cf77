"""Recent chat turns for the staff console, read from Rasa's tracker store.

Rasa writes one row per event into its `events` table (bot/tracker_store.py: ID numbers and
phones already masked). This module only reads it, with short-lived connections: the turns the
model was unsure about (for supervisors to label) and message counts for the dashboard. A user
message row holds the predicted intent in `intent_name` ("nlu_fallback" when the
FallbackClassifier fired) and the whole event as JSON in `data`; confidences and rankings are read
from that JSON, in SQL where a filter needs them.

Before Rasa has run there is no table (or no SQLite file): every function then returns nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.engines import EngineRegistry, sqlite_file
from bot.store.db import tracker_url

FALLBACK_INTENT = "nlu_fallback"  # rasa.shared.constants.DEFAULT_NLU_FALLBACK_INTENT_NAME
RANKING_SIZE = 5

# Rasa's table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent), only the columns read here.
EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("intent_name", sa.String),
    sa.column("data", sa.Text),
)
USER = "user"  # type_name of a user message (UserUttered)


@dataclass(frozen=True)
class ReviewTurn:
    event_id: int
    sender_id: str
    at: dt.datetime  # UTC, from the event timestamp
    text: str  # as stored (already masked)
    intent: str  # the predicted intent ("nlu_fallback" when the FallbackClassifier fired)
    confidence: float
    ranking: tuple  # ((intent, confidence), ...): the top 5 of intent_ranking, nlu_fallback left out
    fell_back: bool


@dataclass(frozen=True)
class TrafficStats:
    user_messages: int
    fallbacks: int
    intent_counts: dict  # the original top intent (before any fallback) -> messages, most first

    @property
    def fallback_rate(self) -> float:
        return self.fallbacks / self.user_messages if self.user_messages else 0.0


def review_queue(
    url: Optional[str] = None, threshold: float = 0.6, limit: int = 50, offset: int = 0, exclude_ids: Iterable[int] = ()
) -> List[ReviewTurn]:
    """User messages that fell back or were predicted with confidence below `threshold`,
    newest first; `exclude_ids` (e.g. the turns already labelled) are left out."""
    with _connect(url) as connection:
        if connection is None:
            return []
        data = _json(EVENTS.c.data, connection)
        confidence = sa.func.coalesce(data[("parse_data", "intent", "confidence")].as_float(), 0.0)
        query = (
            sa.select(EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.timestamp, EVENTS.c.data)
            .where(EVENTS.c.type_name == USER, sa.or_(EVENTS.c.intent_name == FALLBACK_INTENT, confidence < threshold))
            .order_by(EVENTS.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        excluded = sorted({int(i) for i in exclude_ids})
        if excluded:
            # Rendered inline (integers only): a long list would exceed SQLite's parameter limit.
            query = query.where(
                EVENTS.c.id.not_in(sa.bindparam("excluded", excluded, expanding=True, literal_execute=True))
            )
        return [_turn(row) for row in connection.execute(query)]


def review_turn(event_id: int, url: Optional[str] = None) -> Optional[ReviewTurn]:
    """One user message by its event id; None when there is no such user message."""
    with _connect(url) as connection:
        if connection is None:
            return None
        row = connection.execute(
            sa.select(EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.timestamp, EVENTS.c.data).where(
                EVENTS.c.id == event_id, EVENTS.c.type_name == USER
            )
        ).first()
        return _turn(row) if row else None


def traffic_stats(url: Optional[str] = None, since: Optional[dt.datetime] = None) -> TrafficStats:
    """User messages (since `since`, else all), how many fell back, and per original top intent."""
    with _connect(url) as connection:
        if connection is None:
            return TrafficStats(0, 0, {})
        conditions = [EVENTS.c.type_name == USER]
        if since is not None:
            aware = since if since.tzinfo else since.replace(tzinfo=dt.timezone.utc)  # naive: UTC
            conditions.append(EVENTS.c.timestamp >= aware.timestamp())
        fell_back = sa.case((EVENTS.c.intent_name == FALLBACK_INTENT, 1), else_=0)
        total, fallbacks = connection.execute(
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(fell_back), 0)).where(*conditions)
        ).one()
        # The original top intent: the first entry of intent_ranking that is not nlu_fallback (the
        # FallbackClassifier puts itself first), else the predicted intent.
        data = _json(EVENTS.c.data, connection)
        first, second = (data[("parse_data", "intent_ranking", i, "name")].as_string() for i in (0, 1))
        top = sa.func.coalesce(sa.case((first == FALLBACK_INTENT, second), else_=first), EVENTS.c.intent_name)
        per_message = sa.select(top.label("intent")).where(*conditions).subquery()
        counted = sa.func.count().label("messages")
        rows = connection.execute(
            sa.select(per_message.c.intent, counted)
            .group_by(per_message.c.intent)
            .order_by(counted.desc(), per_message.c.intent)
        )
        return TrafficStats(int(total), int(fallbacks), {intent or "": n for intent, n in rows})


# ---- rows ----------------------------------------------------------------------------------------


def _turn(row: Any) -> ReviewTurn:
    data = json.loads(row.data)
    parse_data = data.get("parse_data") or {}
    intent = parse_data.get("intent") or {}
    name = intent.get("name") or ""
    ranking = tuple(
        (r.get("name"), float(r.get("confidence") or 0.0))
        for r in parse_data.get("intent_ranking") or []
        if r.get("name") and r.get("name") != FALLBACK_INTENT
    )[:RANKING_SIZE]
    timestamp = row.timestamp if row.timestamp is not None else data.get("timestamp") or 0.0
    return ReviewTurn(
        event_id=row.id,
        sender_id=row.sender_id,
        at=dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc),
        text=data.get("text") or "",
        intent=name,
        confidence=float(intent.get("confidence") or 0.0),
        ranking=ranking,
        fell_back=name == FALLBACK_INTENT,
    )


def _json(column: Any, connection: Connection) -> Any:
    """The TEXT column as JSON: PostgreSQL needs a cast, SQLite's JSON functions read text."""
    if connection.dialect.name == "sqlite":
        return sa.type_coerce(column, sa.JSON)
    return sa.cast(column, sa.JSON)


# ---- connections ---------------------------------------------------------------------------------

# A reader of Rasa's file: wait out Rasa's checkpoint instead of failing, and never write. Each read
# opens the file anew (no kept-open pool) and a missing file is never created (see _connect).
READER_PRAGMAS = {"busy_timeout": 5000, "query_only": "ON"}
_engines = EngineRegistry(pragmas=READER_PRAGMAS, keep_open=False, make_dirs=False)


@contextlib.contextmanager
def _connect(url: Optional[str]) -> Iterator[Optional[Connection]]:
    """A connection for one read, or None when the events table does not exist yet (a missing
    SQLite file is not created)."""
    if url is None:
        url = tracker_url()
    path = sqlite_file(url)
    if path is not None and not path.exists():
        yield None
        return
    with _engines.get(url).connect() as connection:
        yield connection if sa.inspect(connection).has_table(EVENTS.name) else None


def dispose_engines() -> None:
    """Close every pooled connection (tests, or before the process forks)."""
    _engines.dispose()
