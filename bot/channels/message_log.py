"""Which WeChat messages were already taken, and what was answered: WeChat retries a message
(same MsgId) up to three times when it has no answer within 5 seconds, and a retry must never reach
Rasa again. The log is shared by every worker and survives a restart of the bot: the SQL store by
default, Redis when WECHAT_REDIS_URL is set (for several machines). The same place keeps the WeChat API's
access token, which every worker must share (renewing it invalidates the one before). Both are
blocking clients; call them from a thread.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import dataclass
from typing import Optional, Tuple, Union

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from bot.store.db import ensure_migrated, session_scope
from bot.store.models import ChannelMessage, ChannelToken

PENDING, DONE, ASYNC = "pending", "done", "async"


@dataclass(frozen=True)
class LoggedMessage:
    status: str  # pending: being answered; done: `reply` is the answer; async: sent by the API
    reply: Optional[str]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class SqlMessageLog:
    def __init__(self, url: Optional[str] = None):
        self.url = url
        ensure_migrated(url)

    def claim(self, key: str) -> Optional[LoggedMessage]:
        """None when this call took the message (answer it); otherwise what the first one logged."""
        try:
            with session_scope(self.url) as session:
                now = _utcnow()
                session.add(ChannelMessage(key=key, status=PENDING, created_at=now, updated_at=now))
            return None
        except IntegrityError:
            return self.get(key) or LoggedMessage(PENDING, None)

    def get(self, key: str) -> Optional[LoggedMessage]:
        with session_scope(self.url) as session:
            row = session.get(ChannelMessage, key)
            return LoggedMessage(row.status, row.reply) if row else None

    def finish(self, key: str, status: str, reply: Optional[str] = None) -> None:
        with session_scope(self.url) as session:
            row = session.get(ChannelMessage, key)
            if row is None:
                now = _utcnow()
                session.add(ChannelMessage(key=key, status=status, reply=reply, created_at=now, updated_at=now))
            else:
                row.status, row.reply, row.updated_at = status, reply, _utcnow()

    def purge(self, older_than: dt.timedelta = dt.timedelta(days=2)) -> int:
        with session_scope(self.url) as session:
            result = session.execute(delete(ChannelMessage).where(ChannelMessage.created_at < _utcnow() - older_than))
            return result.rowcount or 0

    def count(self) -> int:
        with session_scope(self.url) as session:
            return session.execute(select(func.count()).select_from(ChannelMessage)).scalar_one()

    def get_access_token(self, app_id: str) -> Optional[Tuple[str, float]]:
        """The app's shared access token and when it expires (Unix time), if one was kept."""
        with session_scope(self.url) as session:
            row = session.get(ChannelToken, app_id)
            return (row.token, row.expires_at) if row else None

    def put_access_token(self, app_id: str, token: str, expires_at: float) -> None:
        for _attempt in range(2):  # a worker adding the first row at the same moment: update it
            try:
                with session_scope(self.url) as session:
                    row = session.get(ChannelToken, app_id)
                    if row is None:
                        session.add(ChannelToken(app_id=app_id, token=token, expires_at=expires_at))
                    else:
                        row.token, row.expires_at = token, expires_at
                return
            except IntegrityError:
                continue
        raise RuntimeError(f"could not keep the access token of {app_id}")


class RedisMessageLog:
    """The same log in Redis: SET NX claims a message; entries expire after `ttl` (WeChat stops
    retrying after 15 seconds, so two days is plenty)."""

    def __init__(self, url: str, ttl: dt.timedelta = dt.timedelta(days=2), prefix: str = "wengang:wechat:"):
        import redis

        from bot.redis_client import retry_kwargs

        self.client = redis.Redis.from_url(url, socket_timeout=5, **retry_kwargs())
        self.ttl = int(ttl.total_seconds())
        self.prefix = prefix

    def _key(self, key: str) -> str:
        return self.prefix + key

    def claim(self, key: str) -> Optional[LoggedMessage]:
        value = json.dumps({"status": PENDING, "reply": None})
        if self.client.set(self._key(key), value, nx=True, ex=self.ttl):
            return None
        return self.get(key) or LoggedMessage(PENDING, None)

    def get(self, key: str) -> Optional[LoggedMessage]:
        raw = self.client.get(self._key(key))
        if raw is None:
            return None
        data = json.loads(raw)
        return LoggedMessage(data["status"], data.get("reply"))

    def finish(self, key: str, status: str, reply: Optional[str] = None) -> None:
        self.client.set(self._key(key), json.dumps({"status": status, "reply": reply}, ensure_ascii=False), ex=self.ttl)

    def count(self) -> int:
        return sum(1 for key in self.client.scan_iter(match=self.prefix + "*") if not self._is_token_key(key))

    def _token_key(self, app_id: str) -> str:
        return f"{self.prefix}access-token:{app_id}"

    def _is_token_key(self, key: bytes) -> bool:
        return key.startswith(f"{self.prefix}access-token:".encode())

    def get_access_token(self, app_id: str) -> Optional[Tuple[str, float]]:
        raw = self.client.get(self._token_key(app_id))
        if raw is None:
            return None
        data = json.loads(raw)
        return data["token"], float(data["expires_at"])

    def put_access_token(self, app_id: str, token: str, expires_at: float) -> None:
        ttl = max(1, int(expires_at - time.time()))
        self.client.set(self._token_key(app_id), json.dumps({"token": token, "expires_at": expires_at}), ex=ttl)


MessageLog = Union[SqlMessageLog, RedisMessageLog]


def message_log_from_env() -> MessageLog:
    """Redis when WECHAT_REDIS_URL is set, else the SQL store (DATABASE_URL)."""
    url = os.environ.get("WECHAT_REDIS_URL", "").strip()
    return RedisMessageLog(url) if url else SqlMessageLog()
