"""WeChat Official Account (公众号) channel for `rasa run`: /webhooks/wechat/webhook.

Registered in credentials.yml as `bot.channels.wechat.WeChatInput`. The token, AppID, AppSecret and
EncodingAESKey come from WECHAT_TOKEN, WECHAT_APPID, WECHAT_SECRET and WECHAT_ENCODING_AES_KEY;
without WECHAT_TOKEN the channel answers 404. Safe (and compatible) mode when the AES key is set.

Retries: WeChat waits 5 s and then sends the same MsgId again, up to three times. A message is
claimed in the message log (bot/channels/message_log.py: the SQL store, or Redis with
WECHAT_REDIS_URL) before it goes to Rasa; a retry never
goes to Rasa, it waits for the first answer and gets the same reply. An answer not ready within
WECHAT_REPLY_TIMEOUT (4 s) is acknowledged with "success" and delivered by the customer-service
API when it is ready.

Voice: with 接收语音识别结果 on, a voice message carries WeChat's transcript in `Recognition`; it is
answered exactly as a text message with that text (same cleaning, MsgId dedupe and 4-s rule), and
the reply starts with HEARD_PREFIX and the transcript, masked, so a misheard figure or ID can be
corrected. A voice message without a transcript gets VOICE_UNHEARD (say it again, or type).

Menu: a CLICK event is read as the text the menu file (bot/channels/wechat_menu.json) gives its key,
as if the user had typed it; an unknown key gets MENU_HINT; a VIEW event (the user is opening a
link) gets nothing.

Text: every text message goes through bot.text.clean.clean_user_text (control and invisible
characters dropped, "/restart"-style intent shortcuts read as plain text); one with nothing readable
left is answered UNREADABLE_REPLY without Rasa. Replies have "<" and ">" made full-width, and an
answer Rasa fails on or leaves empty is SYSTEM_ERROR, never silence.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.message_log import ASYNC, DONE, MessageLog, message_log_from_env
from bot.channels.wechat_api import WeChatApi
from bot.channels.wechat_menu import click_texts
from bot.channels.wechat_protocol import (
    MAX_BODY_BYTES,
    InboundMessage,
    ProtocolError,
    WeChatConfig,
    check_timestamp,
    encrypted_reply_xml,
    read_inbound,
    sha1_signature,
    signature_matches,
    text_reply_xml,
)
from bot.text.clean import UNREADABLE_REPLY, clean_user_text, safe_reply_text
from bot.text.mask import mask_text

logger = logging.getLogger(__name__)
WECHAT_LIMIT_BYTES = 2048
SYSTEM_ERROR = "抱歉，系统暂时出了点问题，请稍后再试，或拨打12333人社服务热线。"
TEXT_ONLY = "目前我只能看懂文字和语音消息。请用文字或语音描述您的问题，例如“留工补助怎么领”或“老板欠我工资”。"
# A voice message WeChat did not transcribe (recognition off, or nothing heard).
VOICE_UNHEARD = "抱歉，没听清您的语音。请再说一遍，或者直接打字，例如“留工补助怎么领”或“老板欠我工资”。"
GREET_TRIGGER = "/greet"  # the subscribe event gets the bot's own welcome (utter_greet)
MENU_HINT = "请直接发文字或语音提问，也可以点底部菜单：政策问答、欠薪维权、人工服务。"
HEARD_PREFIX = "听到您说："
HEARD_MAX_CHARS = 60  # one short line: enough to spot a misheard figure, never the whole answer


def split_for_wechat(text: str, limit: int = WECHAT_LIMIT_BYTES) -> List[str]:
    """Parts of at most `limit` UTF-8 bytes, cut between messages or lines where possible."""
    parts: List[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode("utf-8")) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(line.encode("utf-8")) > limit:  # one line longer than a message: cut it
            cut = limit
            while len(line[:cut].encode("utf-8")) > limit:
                cut -= 1
            parts.append(line[:cut])
            line = line[cut:]
        current = line
    if current:
        parts.append(current)
    return [p.strip("\n") for p in parts if p.strip()]


def join_bot_messages(messages: List[Dict[str, Any]]) -> str:
    return "\n\n".join(m["text"] for m in messages if m.get("text"))


def heard_line(transcript: str) -> str:
    """The first line of a voice answer. Masked before it is shortened, so an ID number or phone
    read out by voice is never echoed in full, not even in part of a cut."""
    shown = mask_text(transcript)
    if len(shown) > HEARD_MAX_CHARS:
        shown = shown[:HEARD_MAX_CHARS] + "……"
    return HEARD_PREFIX + safe_reply_text(shown)


def reply_parts(messages: List[Dict[str, Any]], heard: Optional[str] = None) -> List[str]:
    """The WeChat messages of an answer: never markup, never nothing (SYSTEM_ERROR when Rasa said
    nothing); a voice answer (`heard`: the transcript) starts with the heard line."""
    answer = safe_reply_text(join_bot_messages(messages))
    if not split_for_wechat(answer):
        return [SYSTEM_ERROR]
    if heard:
        answer = f"{heard_line(heard)}\n{answer}"
    return split_for_wechat(answer)


class WeChatInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatInput":
        return cls(WeChatConfig.from_env())

    def __init__(
        self, config: Optional[WeChatConfig], message_log: Optional[MessageLog] = None, api: Optional[WeChatApi] = None
    ):
        self.config = config
        self._log = message_log
        self.api = api
        if config is not None and api is None and config.app_id and config.secret:
            self.api = WeChatApi(config.api_base, config.app_id, config.secret, shared=lambda: self.message_log)
        self.menu_texts = click_texts()  # menu key → what a tap on it says
        self._inflight: Dict[str, asyncio.Task] = {}
        self._background: set = set()

    @property
    def message_log(self) -> MessageLog:
        if self._log is None:
            self._log = message_log_from_env()
        return self._log

    # ---- HTTP ----------------------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("wechat_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.config else "not configured (WECHAT_TOKEN)"})

        @hook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if self.config is None:
                return response.text("wechat channel not configured", status=404)
            args = {k: request.args.get(k, "") for k in ("signature", "timestamp", "nonce", "echostr")}
            expected = sha1_signature(self.config.token, args["timestamp"], args["nonce"])
            if not signature_matches(expected, args["signature"]):
                return response.text("bad signature", status=403)
            try:
                check_timestamp(args["timestamp"])
            except ProtocolError as exc:
                return response.text(str(exc), status=exc.status)
            return response.text(args["echostr"])

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.config is None:
                return response.text("wechat channel not configured", status=404)
            body = request.body or b""
            if len(body) > MAX_BODY_BYTES:
                return response.text("body too large", status=400)
            query = {k: request.args.get(k, "") for k in request.args}
            try:
                inbound = read_inbound(self.config, query, body)
            except ProtocolError as exc:
                logger.info("wechat: rejected a request (%s)", exc)
                return response.text(str(exc), status=exc.status)
            reply = await self.answer(inbound, on_new_message)
            if reply is None:
                return response.text("success")
            xml = text_reply_xml(inbound.openid, inbound.account, reply)
            if inbound.encrypted and self.config.cipher is not None:
                xml = encrypted_reply_xml(self.config.cipher, self.config.token, xml)
            return response.text(xml, content_type="application/xml")

        return hook

    # ---- answering -----------------------------------------------------------------------------

    async def answer(self, inbound: InboundMessage, on_new_message) -> Optional[str]:
        """The passive reply for this request, or None for "success" (nothing, or sent later)."""
        text = self._text_for_rasa(inbound)
        if text is None:
            return self._reply_without_rasa(inbound)
        if not text:  # nothing readable left after bot.text.clean
            return UNREADABLE_REPLY
        heard = text if inbound.msg_type == "voice" else None
        key = inbound.dedupe_key
        earlier = await asyncio.to_thread(self.message_log.claim, key)
        if earlier is not None:
            return await self._answer_of_first(key)
        task = asyncio.ensure_future(self._ask_rasa(inbound, text, on_new_message))
        self._inflight[key] = task
        task.add_done_callback(lambda _: self._inflight.pop(key, None))
        try:
            messages = await asyncio.wait_for(asyncio.shield(task), self.config.reply_timeout)
        except asyncio.TimeoutError:
            await asyncio.to_thread(self.message_log.finish, key, ASYNC)
            self._in_background(self._deliver_later(inbound.openid, task, heard))
            return None
        except Exception:
            logger.exception("wechat: Rasa failed on a message")
            await asyncio.to_thread(self.message_log.finish, key, DONE, SYSTEM_ERROR)
            return SYSTEM_ERROR
        parts = reply_parts(messages, heard)
        await asyncio.to_thread(self.message_log.finish, key, DONE, parts[0])
        if len(parts) > 1:
            self._in_background(self._send_parts(inbound.openid, parts[1:]))
        return parts[0]

    def _text_for_rasa(self, inbound: InboundMessage) -> Optional[str]:
        """What Rasa reads for this message, or None when it does not go to Rasa:
        - text: the cleaned Content ("" when nothing readable is left: no intent shortcut, control
          or invisible character reaches Rasa);
        - voice: the cleaned Recognition, the same way; None without one (recognition off);
        - subscribe: the welcome trigger; a menu CLICK: the text its key stands for."""
        if inbound.msg_type == "text":
            return clean_user_text(inbound.fields.get("Content", ""))
        if inbound.msg_type == "voice":
            transcript = clean_user_text(inbound.fields.get("Recognition", ""))
            return transcript or None  # an empty transcript: nothing heard, ask for text
        if inbound.msg_type == "event":
            event = inbound.fields.get("Event", "").lower()
            if event == "subscribe":
                return GREET_TRIGGER
            if event == "click":
                return self.menu_texts.get(inbound.fields.get("EventKey", "").strip())
        return None

    @staticmethod
    def _reply_without_rasa(inbound: InboundMessage) -> Optional[str]:
        """A message Rasa does not read: VOICE_UNHEARD for a voice message without a transcript,
        TEXT_ONLY for other media, MENU_HINT for a menu tap it cannot place (an unknown key), nothing
        for other events (a VIEW link being opened, unsubscribe, location…)."""
        if inbound.msg_type == "voice":
            return VOICE_UNHEARD
        if inbound.msg_type != "event":
            return TEXT_ONLY
        if inbound.fields.get("Event", "").lower() == "click":
            return MENU_HINT
        return None

    async def _ask_rasa(self, inbound: InboundMessage, text: str, on_new_message) -> List[Dict[str, Any]]:
        collector = CollectingOutputChannel()
        metadata = {"wechat_msg": inbound.dedupe_key, "wechat_type": inbound.msg_type}
        if inbound.fields.get("Event", "").lower() == "click":
            metadata["wechat_menu_key"] = inbound.fields.get("EventKey", "")
        await on_new_message(UserMessage(text, collector, inbound.openid, input_channel=self.name(), metadata=metadata))
        return collector.messages

    async def _answer_of_first(self, key: str) -> Optional[str]:
        """A retry: wait for the first request's answer (in this worker or another), never Rasa."""
        task = self._inflight.get(key)
        if task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(task), self.config.reply_timeout)
            except Exception:  # slow or failed: the first request decides what the user gets
                pass
        deadline = asyncio.get_running_loop().time() + self.config.reply_timeout
        while True:
            logged = await asyncio.to_thread(self.message_log.get, key)
            if logged is None or logged.status == ASYNC:
                return None
            if logged.status == DONE:
                return logged.reply
            if asyncio.get_running_loop().time() >= deadline:
                return None
            await asyncio.sleep(0.1)

    def _in_background(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _deliver_later(self, openid: str, task: asyncio.Task, heard: Optional[str] = None) -> None:
        try:
            messages = await task
        except Exception:
            logger.exception("wechat: Rasa failed on a message answered later")
            messages = []
        await self._send_parts(openid, reply_parts(messages, heard))

    async def _send_parts(self, openid: str, parts: List[str]) -> None:
        if self.api is None:
            logger.warning("wechat: an answer could not be sent (no WECHAT_APPID/WECHAT_SECRET)")
            return
        for part in parts:
            try:
                await self.api.send_text(openid, part)
            except Exception as exc:
                logger.error("wechat: customer-service message failed: %s", mask_text(str(exc)))
                return
