"""The console's client for the Rasa server's HTTP API (`rasa run --enable-api --auth-token`)."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, Optional

import aiohttp


class RasaUnavailable(RuntimeError):
    """Rasa did not answer; the message is Chinese, for the agent."""


class RasaClient:
    def __init__(self, base_url: str, token: Optional[str], timeout: float = 5.0):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: Optional[aiohttp.ClientSession] = None

    async def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def parse(self, text: str) -> Dict[str, Any]:
        """Rasa's NLU result for `text`: intent, intent_ranking, entities (the chat's pipeline)."""
        params = {"token": self.token} if self.token else {}
        try:
            client = await self._client()
            async with client.post(f"{self.base_url}/model/parse", params=params, json={"text": text}) as response:
                if response.status in (401, 403):
                    raise RasaUnavailable("对话引擎拒绝了请求：控制台与 Rasa 的访问令牌（RASA_TOKEN）不一致")
                if response.status != 200:
                    raise RasaUnavailable(f"对话引擎返回错误（HTTP {response.status}），请稍后再试")
                return await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise RasaUnavailable("对话引擎（Rasa）暂时连不上，请稍后再试；政策条款页仍可查阅") from exc

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
