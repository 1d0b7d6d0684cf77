"""The REST channel for `rasa run`, guarded: POST /webhooks/rest/webhook.

Registered in credentials.yml as `bot.channels.rest.GuardedRestInput`; its name stays "rest", so the
URL and the request and reply format are Rasa's own (`{"sender": …, "message": …}` → a JSON list
of bot messages; `?stream=true` → one JSON message per line).

Access. The REST caller names the sender, so while the public WeChat channel is on (WECHAT_TOKEN
set) a caller who knows or guesses an openid would join that person's conversation. Then REST
needs `Authorization: Bearer <REST_TOKEN>` (compared in constant time; 401 without it) and is off
(403) when REST_TOKEN is unset. With WeChat off, REST is open as before (local use and tests).

Bodies. A JSON object with "sender" (a string of 1–128 printable characters) and "message" (a
string of at most MAX_MESSAGE_CHARS characters), optionally "metadata" (an object); at most
MAX_BODY_BYTES. Anything else is HTTP 400 with `{"error": …}`, never 500 and never a hanging
stream: the body is checked before any streaming starts. "input_channel" in the body is ignored
(it is always "rest").

Text. Every message goes through bot.text.clean.clean_user_text (invalid and control characters
dropped, intent shortcuts such as "/restart" read as plain text, at most 1000 characters); a
message empty after that is answered UNREADABLE_REPLY without Rasa. Every reply passes
safe_reply_text ("<" and ">" made full-width), and a turn Rasa fails on or leaves unanswered gets
SYSTEM_ERROR instead of an empty list. Message text is never logged here.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel, RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.wechat import SYSTEM_ERROR
from bot.text.clean import UNREADABLE_REPLY, clean_user_text, safe_bot_messages

logger = logging.getLogger(__name__)
REST_TOKEN_ENV = "REST_TOKEN"
WECHAT_TOKEN_ENV = "WECHAT_TOKEN"
MAX_BODY_BYTES = 256 * 1024
MAX_MESSAGE_CHARS = 20_000  # longer is refused; up to this it is cut to clean.MAX_CHARS and answered
MAX_SENDER_CHARS = 128
_DONE = object()


class BadRequest(Exception):
    """A body the channel refuses: HTTP 400 with this message."""


@dataclass(frozen=True)
class RestMessage:
    sender: str
    text: str  # cleaned; "" when nothing readable was left
    metadata: Optional[Dict[str, Any]]


def read_body(body: bytes) -> RestMessage:
    """The validated message of a request body, or BadRequest saying what is wrong (bilingual)."""
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(f"请求体过大（最多{MAX_BODY_BYTES}字节）。Body too large (at most {MAX_BODY_BYTES} bytes).")
    if not body.strip():
        raise BadRequest(
            '请求体为空，应为 {"sender": …, "message": …}。Empty body: expected {"sender": …, "message": …}.'
        )
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise BadRequest("请求体不是有效的 JSON。The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise BadRequest('请求体应为 JSON 对象 {"sender": …, "message": …}。The body must be a JSON object.')
    sender, message, metadata = data.get("sender"), data.get("message"), data.get("metadata")
    if not isinstance(sender, str) or not sender.strip():
        raise BadRequest('缺少 "sender" 或不是字符串。"sender" is missing or not a string.')
    if len(sender) > MAX_SENDER_CHARS or not sender.isprintable():
        raise BadRequest(
            f'"sender" 应为不超过{MAX_SENDER_CHARS}个可打印字符。'
            f'"sender" must be at most {MAX_SENDER_CHARS} printable characters.'
        )
    if not isinstance(message, str):
        raise BadRequest('缺少 "message" 或不是字符串。"message" is missing or not a string.')
    if len(message) > MAX_MESSAGE_CHARS:
        raise BadRequest(
            f'"message" 过长（最多{MAX_MESSAGE_CHARS}个字符）。'
            f'"message" is too long (at most {MAX_MESSAGE_CHARS} characters).'
        )
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest('"metadata" 应为 JSON 对象。"metadata" must be a JSON object.')
    return RestMessage(sender, clean_user_text(message), metadata)


def _error(status: int, message: str, headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    return response.json({"error": message}, status=status, headers=headers)


def _reply(sender: str, text: str) -> Dict[str, Any]:
    return {"recipient_id": sender, "text": text}


class GuardedRestInput(RestInput):
    """Rasa's REST channel with access control, body validation and cleaned text (module docstring)."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "GuardedRestInput":
        return cls.from_env(os.environ)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "GuardedRestInput":
        return cls(rest_token=environ.get(REST_TOKEN_ENV) or None, wechat_on=bool(environ.get(WECHAT_TOKEN_ENV)))

    def __init__(self, rest_token: Optional[str] = None, wechat_on: bool = False) -> None:
        self.rest_token = rest_token
        self.wechat_on = wechat_on
        if wechat_on and not rest_token:
            logger.warning("rest: the WeChat channel is on and REST_TOKEN is unset: the REST channel is off")

    @property
    def status(self) -> str:
        if not self.wechat_on:
            return "open"
        return "bearer token" if self.rest_token else "off"

    def refusal(self, request: Request) -> Optional[HTTPResponse]:
        """The response refusing this request's access, or None when it may speak."""
        if not self.wechat_on:
            return None
        if not self.rest_token:
            return _error(
                403,
                "REST 通道已关闭：微信公众号通道开启时，需设置 REST_TOKEN 才能使用 REST。"
                "The REST channel is off while the WeChat channel is on (set REST_TOKEN).",
            )
        scheme, _, given = (request.headers.get("Authorization") or "").partition(" ")
        expected = self.rest_token.encode("utf-8", "surrogatepass")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode("utf-8", "surrogatepass"), expected
        ):
            return _error(
                401,
                "需要有效的访问令牌（Authorization: Bearer …）。A valid bearer token is required.",
                headers={"WWW-Authenticate": 'Bearer realm="rest"'},
            )
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.status != "off" else "off"})

        @hook.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            # HAProxy's health check and scripts/run.sh's wait: Rasa answers `GET /` while it is
            # still loading the model (and ignores the messages it gets meanwhile); this answers
            # 200 only once the model is loaded.
            agent = getattr(request.app.ctx, "agent", None)
            if agent is not None and agent.is_ready():
                return response.json({"status": "ready"})
            return response.json({"status": "loading"}, status=503)

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            refused = self.refusal(request)
            if refused is not None:
                return refused
            try:
                message = read_body(request.body or b"")
            except BadRequest as exc:
                return _error(400, str(exc))
            if str(request.args.get("stream", "")).lower() == "true":
                return response.stream(self._streamer(on_new_message, message), content_type="text/event-stream")
            return response.json(await self.answer(on_new_message, message))

        return hook

    async def answer(self, on_new_message, message: RestMessage) -> List[Dict[str, Any]]:
        """The bot's messages for one validated message, never empty."""
        if not message.text:
            return [_reply(message.sender, UNREADABLE_REPLY)]
        collector = CollectingOutputChannel()
        await self._ask(on_new_message, message, collector)
        return safe_bot_messages(collector.messages) or [_reply(message.sender, SYSTEM_ERROR)]

    async def _ask(self, on_new_message, message: RestMessage, collector: CollectingOutputChannel) -> None:
        try:
            await on_new_message(
                UserMessage(
                    message.text, collector, message.sender, input_channel=self.name(), metadata=message.metadata
                )
            )
        except asyncio.CancelledError:
            logger.error("rest: the answer to a message timed out")
        except Exception:
            logger.exception("rest: Rasa failed on a message")

    def _streamer(self, on_new_message, message: RestMessage) -> Callable[[Any], Awaitable[None]]:
        async def stream(resp: Any) -> None:
            if not message.text:
                await resp.write(json.dumps(_reply(message.sender, UNREADABLE_REPLY)) + "\n")
                return
            queue: asyncio.Queue = asyncio.Queue()

            async def ask() -> None:
                try:
                    await self._ask(on_new_message, message, QueueOutputChannel(queue))
                finally:  # whatever happens, the stream ends
                    await queue.put(_DONE)

            task = asyncio.ensure_future(ask())
            sent = 0
            while (item := await queue.get()) is not _DONE:
                for safe in safe_bot_messages([item]):
                    await resp.write(json.dumps(safe) + "\n")
                    sent += 1
            await task
            if not sent:
                await resp.write(json.dumps(_reply(message.sender, SYSTEM_ERROR)) + "\n")

        return stream
