"""WeChat Official Account message protocol: signatures, safe-mode encryption, XML in and out.

Written from WeChat's published protocol, not from an SDK, and tested against the `wechatpy` SDK
acting as WeChat's servers (tests/bot/channels/test_wechat.py).

- Signature (plaintext mode and URL verification): SHA1 of the sorted token, timestamp and nonce.
- Safe mode: AES-256-CBC with key = base64(EncodingAESKey + "="), IV = key[:16], PKCS#7 padding to
  32 bytes, plaintext = 16 random bytes + 4-byte big-endian length + XML + AppID;
  msg_signature = SHA1 of the sorted token, timestamp, nonce and ciphertext.
- XML is parsed with defusedxml: no DTDs, no entity expansion, no external entities.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import struct
import time
from dataclasses import dataclass, field
from typing import Dict, Optional

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

BLOCK = 32
MAX_BODY_BYTES = 64 * 1024  # WeChat's messages are a few KB; anything larger is not WeChat
MAX_AGE_SECONDS = 300


class ProtocolError(ValueError):
    """A request that is not a valid WeChat message: answered with 400 or 403, never 500."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def signature_matches(expected: str, given: Optional[str]) -> bool:
    return bool(given) and hmac.compare_digest(expected, given.lower())


def check_timestamp(timestamp: Optional[str], now: Optional[float] = None) -> None:
    try:
        value = int(timestamp or "")
    except ValueError:
        raise ProtocolError("timestamp missing or not a number", 403) from None
    if abs((now or time.time()) - value) > MAX_AGE_SECONDS:
        raise ProtocolError("stale timestamp", 403)


class SafeModeCipher:
    """AES-256-CBC as WeChat's safe mode does it."""

    def __init__(self, encoding_aes_key: str, app_id: str):
        try:
            self.key = base64.b64decode(encoding_aes_key + "=")
        except (ValueError, TypeError) as exc:
            raise ValueError("WECHAT_ENCODING_AES_KEY is not a 43-character base64 key") from exc
        if len(self.key) != 32:
            raise ValueError("WECHAT_ENCODING_AES_KEY is not a 43-character base64 key")
        self.app_id = app_id

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, xml: str) -> str:
        body = xml.encode("utf-8")
        plain = os.urandom(16) + struct.pack(">I", len(body)) + body + self.app_id.encode("utf-8")
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (ValueError, TypeError):
            raise ProtocolError("Encrypt is not base64") from None
        if not data or len(data) % 16:
            raise ProtocolError("Encrypt has a bad length")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK:
            raise ProtocolError("bad padding")
        content = plain[16:-pad]
        if len(content) < 4:
            raise ProtocolError("ciphertext too short")
        (length,) = struct.unpack(">I", content[:4])
        xml, app_id = content[4 : 4 + length], content[4 + length :]
        if len(xml) != length:
            raise ProtocolError("bad message length")
        if not hmac.compare_digest(app_id, self.app_id.encode("utf-8")):
            raise ProtocolError("AppID does not match", 403)
        try:
            return xml.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("message is not UTF-8") from None


def parse_xml(body: bytes | str) -> Dict[str, str]:
    """The child elements of <xml> as a dict; rejects DTDs, entities and oversized bodies."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if not raw or not raw.strip():
        raise ProtocolError("empty body")
    if len(raw) > MAX_BODY_BYTES:
        raise ProtocolError("body too large")
    try:
        root = ElementTree.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        raise ProtocolError(f"malformed XML ({type(exc).__name__})") from None
    if root.tag != "xml":
        raise ProtocolError("root element is not <xml>")
    return {child.tag: (child.text or "") for child in root}


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply_xml(to_user: str, from_user: str, content: str, now: Optional[int] = None) -> str:
    return (
        "<xml>"
        f"<ToUserName>{_cdata(to_user)}</ToUserName>"
        f"<FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{now or int(time.time())}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{_cdata(content)}</Content>"
        "</xml>"
    )


def encrypted_reply_xml(cipher: SafeModeCipher, token: str, xml: str) -> str:
    encrypted = cipher.encrypt(xml)
    timestamp = str(int(time.time()))
    nonce = secrets.token_hex(8)
    signature = sha1_signature(token, timestamp, nonce, encrypted)
    return (
        "<xml>"
        f"<Encrypt>{_cdata(encrypted)}</Encrypt>"
        f"<MsgSignature>{_cdata(signature)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp>"
        f"<Nonce>{_cdata(nonce)}</Nonce>"
        "</xml>"
    )


@dataclass
class InboundMessage:
    """One message from WeChat, decrypted and parsed; `encrypted`: reply in safe mode too."""

    fields: Dict[str, str]
    encrypted: bool = False

    @property
    def openid(self) -> str:
        return self.fields.get("FromUserName", "")

    @property
    def account(self) -> str:
        return self.fields.get("ToUserName", "")

    @property
    def msg_type(self) -> str:
        return self.fields.get("MsgType", "").lower()

    @property
    def dedupe_key(self) -> str:
        """MsgId for messages; FromUserName + CreateTime + Event (+ EventKey: two menu taps in one
        second are two requests) for events."""
        if self.fields.get("MsgId"):
            return f"msg:{self.fields['MsgId']}"
        key = f"evt:{self.openid}:{self.fields.get('CreateTime', '')}:{self.fields.get('Event', '')}"
        event_key = self.fields.get("EventKey", "")
        if len(event_key) > 32:  # keys may be 128 bytes; the message log's key column is 160
            event_key = hashlib.sha1(event_key.encode("utf-8")).hexdigest()[:16]
        return f"{key}:{event_key}" if event_key else key


@dataclass
class WeChatConfig:
    token: str
    app_id: str = ""
    secret: str = ""
    encoding_aes_key: str = ""
    api_base: str = "https://api.weixin.qq.com"
    reply_timeout: float = 4.0
    cipher: Optional[SafeModeCipher] = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Optional[Dict[str, str]] = None) -> Optional["WeChatConfig"]:
        """None when WECHAT_TOKEN is not set: the channel is then switched off."""
        env = os.environ if env is None else env
        token = env.get("WECHAT_TOKEN", "").strip()
        if not token:
            return None
        config = cls(
            token=token,
            app_id=env.get("WECHAT_APPID", "").strip(),
            secret=env.get("WECHAT_SECRET", "").strip(),
            encoding_aes_key=env.get("WECHAT_ENCODING_AES_KEY", "").strip(),
            api_base=env.get("WECHAT_API_BASE", "https://api.weixin.qq.com").rstrip("/"),
            reply_timeout=float(env.get("WECHAT_REPLY_TIMEOUT", "4.0")),
        )
        if config.encoding_aes_key:
            config.cipher = SafeModeCipher(config.encoding_aes_key, config.app_id)
        return config


def read_inbound(config: WeChatConfig, query: Dict[str, str], body: bytes) -> InboundMessage:
    """Check the signatures and the timestamp, decrypt in safe or compatible mode, parse."""
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    if not signature_matches(sha1_signature(config.token, timestamp, nonce), query.get("signature")):
        raise ProtocolError("bad signature", 403)
    check_timestamp(timestamp)
    outer = parse_xml(body)
    encrypted = "Encrypt" in outer or query.get("encrypt_type", "").lower() == "aes"
    if not encrypted:
        return InboundMessage(outer)
    if config.cipher is None:
        raise ProtocolError("encrypted message but no WECHAT_ENCODING_AES_KEY configured", 403)
    ciphertext = outer.get("Encrypt", "")
    if not ciphertext:
        raise ProtocolError("Encrypt missing")
    expected = sha1_signature(config.token, timestamp, nonce, ciphertext)
    if not signature_matches(expected, query.get("msg_signature")):
        raise ProtocolError("bad msg_signature", 403)
    return InboundMessage(parse_xml(config.cipher.decrypt(ciphertext)), encrypted=True)
