"""The WeChat APIs the bot calls: the customer-service message (客服消息), for answers that were
not ready within WeChat's 5 seconds and for the rest of an answer too long for one reply; and the
custom menu (`bot wechat menu --push`). Both go through one token-carrying POST (`_post`).

The access token is cached and refreshed 5 minutes before it expires, or at once when WeChat says
it is invalid. Getting a new token makes the one before it invalid 5 minutes later, so with several
workers the token is kept where they all see it (`shared`: the message log, SQL or Redis): a
worker whose token is refused first takes the one another worker has fetched since. `WECHAT_API_BASE`
points the client at a fake of WeChat's API in tests.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Callable, Dict, Optional, Protocol, Tuple

import aiohttp

logger = logging.getLogger(__name__)
REFRESH_MARGIN_SECONDS = 300
TOKEN_ERRORS = {40001, 40014, 42001}  # invalid, malformed, expired access token


class WeChatApiError(RuntimeError):
    pass


class SharedTokens(Protocol):
    """Where workers keep the access token (blocking calls: run them in a thread)."""

    def get_access_token(self, app_id: str) -> Optional[Tuple[str, float]]: ...

    def put_access_token(self, app_id: str, token: str, expires_at: float) -> None: ...


class WeChatApi:
    def __init__(
        self,
        base: str,
        app_id: str,
        secret: str,
        timeout: float = 10.0,
        shared: Optional[Callable[[], SharedTokens]] = None,
    ):
        self.base = base.rstrip("/")
        self.app_id, self.secret = app_id, secret
        self.shared = shared  # called when first needed (opening the store can wait until then)
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._token: Optional[str] = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self._session: Optional[aiohttp.ClientSession] = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    def _fresh(self, expires_at: float) -> bool:
        return time.time() < expires_at - REFRESH_MARGIN_SECONDS

    async def access_token(self, refused: Optional[str] = None) -> str:
        """The token to call with; `refused`: a token WeChat has just refused."""
        async with self._lock:
            if self._token and self._token != refused and self._fresh(self._expires_at):
                return self._token
            store = self.shared() if self.shared else None
            if store is not None:  # another worker may have fetched one since
                kept = await asyncio.to_thread(store.get_access_token, self.app_id)
                if kept and kept[0] != refused and self._fresh(kept[1]):
                    self._token, self._expires_at = kept
                    return self._token
            params = {"grant_type": "client_credential", "appid": self.app_id, "secret": self.secret}
            async with self._client().get(f"{self.base}/cgi-bin/token", params=params) as response:
                data: Dict[str, Any] = await response.json(content_type=None)
            if "access_token" not in data:
                raise WeChatApiError(f"token request failed: errcode {data.get('errcode')}")
            self._token = data["access_token"]
            self._expires_at = time.time() + int(data.get("expires_in", 7200))
            if store is not None:
                await asyncio.to_thread(store.put_access_token, self.app_id, self._token, self._expires_at)
            return self._token

    async def send_text(self, openid: str, content: str) -> None:
        payload = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        await self._post("/cgi-bin/message/custom/send", payload, "custom send")

    async def create_menu(self, menu: Dict[str, Any]) -> None:
        """Publish the custom menu (the menu-create body: {"button": [...]}), replacing the old one."""
        await self._post("/cgi-bin/menu/create", menu, "menu create")

    async def _post(self, path: str, payload: Dict[str, Any], what: str) -> Dict[str, Any]:
        """POST JSON with the access token. A refused token (another worker renewed it, or it
        expired early) is replaced once and the call repeated; any other errcode is an error."""
        refused = None
        for _attempt in range(2):
            token = await self.access_token(refused)
            # ensure_ascii=False: WeChat shows "\uXXXX" escapes in menu names literally
            body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            async with self._client().post(
                f"{self.base}{path}",
                params={"access_token": token},
                data=body,
                headers={"Content-Type": "application/json"},
            ) as response:
                data = await response.json(content_type=None)
            code = int(data.get("errcode", 0) or 0)
            if code == 0:
                return data
            if code not in TOKEN_ERRORS:
                raise WeChatApiError(f"{what} failed: errcode {code}")
            refused = token
        raise WeChatApiError(f"{what} failed: the access token was refused twice")
