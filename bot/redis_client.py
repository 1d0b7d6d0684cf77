"""Redis connections that ride out a Redis restart (issue 19: `make test-faults` restarts it).

A command that finds the connection refused or dropped is sent again on a new connection, with a
growing pause (50 ms doubling to 0.5 s, 20 times: about 8 s in all), instead of failing the
message being answered. Used by the WeChat message log and the conversation lock store.
"""

from __future__ import annotations

from typing import Any, Dict

from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, TimeoutError
from redis.retry import Retry

RETRIES = 20


def retry_kwargs() -> Dict[str, Any]:
    """Keyword arguments of `redis.Redis(...)` / `from_url(...)` for retried commands."""
    return {
        "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), RETRIES),
        "retry_on_error": [ConnectionError, TimeoutError],
    }
