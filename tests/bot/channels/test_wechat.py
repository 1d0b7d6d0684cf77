"""The WeChat channel, with the real `wechatpy` SDK on the client side: it signs and encrypts
requests as WeChat's servers do and decrypts our replies, so these tests prove interoperability
with WeChat's own format. The channel runs in a real Sanic server; Rasa is a recording fake here
(tests/test_live_server.py talks to the real Rasa through this channel too), and WeChat's API is a
fake aiohttp server that records what it gets.
"""

import asyncio
import json
import os
import time
import uuid
import xml.etree.ElementTree as StdElementTree

import aiohttp
import pytest
from aiohttp import web
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import WeChatSigner

from bot.channels.message_log import SqlMessageLog
from bot.channels.wechat import (
    HEARD_PREFIX,
    MENU_HINT,
    SYSTEM_ERROR,
    TEXT_ONLY,
    VOICE_UNHEARD,
    WeChatInput,
    split_for_wechat,
)
from bot.channels.wechat_api import WeChatApi
from bot.channels.wechat_menu import click_texts
from bot.channels.wechat_protocol import WeChatConfig
from bot.text.clean import UNREADABLE_REPLY
from harness.servers import free_port
from tests.bot.channels.fakes import FakeRasa

TOKEN = "wengang-token"
APP_ID = "wx1234567890abcdef"
SECRET = "secret-for-tests"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat issues them
USER = "oUser-openid-0001"
ACCOUNT = "gh_wengang"


def signed(timestamp=None, nonce=None, token=TOKEN):
    timestamp = str(timestamp or int(time.time()))
    nonce = nonce or uuid.uuid4().hex[:10]
    signer = WeChatSigner()
    signer.add_data(token, timestamp, nonce)
    return {"signature": signer.signature, "timestamp": timestamp, "nonce": nonce}


def text_xml(content, msg_id="1000001", user=USER, create_time=None):
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
        f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def event_xml(event, create_time=1673740800, key=None):
    event_key = f"<EventKey><![CDATA[{key}]]></EventKey>" if key is not None else ""
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{USER}]]></FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event>{event_key}</xml>"
    )


def voice_xml(recognition=None, msg_id="9100001"):
    """A voice message as WeChat sends it; `Recognition` only with 接收语音识别结果 on."""
    heard = f"<Recognition><![CDATA[{recognition}]]></Recognition>" if recognition is not None else ""
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{USER}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[voice]]></MsgType>"
        f"<MediaId><![CDATA[media-voice]]></MediaId><Format><![CDATA[amr]]></Format>{heard}"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )


class FakeWeChatApi:
    """WeChat's token and customer-service endpoints, recording what they get."""

    def __init__(self):
        self.token_requests = 0
        self.sent = []
        self.menus = []
        self.refuse_next_token = False

    async def token(self, request):
        self.token_requests += 1
        assert request.query["appid"] == APP_ID and request.query["secret"] == SECRET
        return web.json_response({"access_token": f"token-{self.token_requests}", "expires_in": 7200})

    async def send(self, request):
        if self.refuse_next_token:
            self.refuse_next_token = False
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        self.sent.append((request.query["access_token"], await request.json()))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def create_menu(self, request):
        if self.refuse_next_token:
            self.refuse_next_token = False
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        raw = await request.read()
        self.menus.append((request.query["access_token"], raw.decode("utf-8")))
        return web.json_response({"errcode": 0, "errmsg": "ok"})


@pytest.fixture
async def wechat_api():
    fake = FakeWeChatApi()
    app = web.Application()
    app.router.add_get("/cgi-bin/token", fake.token)
    app.router.add_post("/cgi-bin/message/custom/send", fake.send)
    app.router.add_post("/cgi-bin/menu/create", fake.create_menu)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    fake.base = f"http://127.0.0.1:{port}"
    yield fake
    await runner.cleanup()


class Channel:
    """A Sanic server with the channel's blueprint, as `rasa run` mounts it."""

    def __init__(self, url, channel, rasa):
        self.url, self.channel, self.rasa = url, channel, rasa

    async def get(self, **params):
        async with aiohttp.ClientSession() as session:
            async with session.get(self.url, params=params) as response:
                return response.status, await response.text()

    async def post(self, body, **params):
        async with aiohttp.ClientSession() as session:
            async with session.post(self.url, params=params, data=body) as response:
                return response.status, await response.text()


@pytest.fixture
async def start_channel(tmp_path, wechat_api, serve_blueprint):
    channels = []
    log = SqlMessageLog(f"sqlite:///{tmp_path / 'store.db'}")

    async def start(rasa=None, aes=False, reply_timeout=4.0, token=TOKEN, message_log=None):
        config = WeChatConfig(
            token=token, app_id=APP_ID, secret=SECRET, api_base=wechat_api.base, reply_timeout=reply_timeout
        )
        if aes:
            config = WeChatConfig.from_env(
                {
                    "WECHAT_TOKEN": token,
                    "WECHAT_APPID": APP_ID,
                    "WECHAT_SECRET": SECRET,
                    "WECHAT_ENCODING_AES_KEY": AES_KEY,
                    "WECHAT_API_BASE": wechat_api.base,
                    "WECHAT_REPLY_TIMEOUT": str(reply_timeout),
                }
            )
        rasa = rasa or FakeRasa()
        channel = WeChatInput(config, message_log=message_log or log)
        base = await serve_blueprint(channel.blueprint(rasa), "/webhooks/wechat")
        channels.append(channel)
        return Channel(f"{base}/webhook", channel, rasa)

    yield start
    for channel in channels:
        if channel.api is not None:
            await channel.api.close()


def reply_of(xml_text):
    return parse_message(xml_text)


def encrypted_request(crypto, xml, compatible=False):
    """What WeChat sends in safe mode: the query signatures and an <xml> with <Encrypt>."""
    query = signed()
    envelope = crypto.encrypt_message(xml, query["nonce"], query["timestamp"])
    fields = {child.tag: child.text for child in StdElementTree.fromstring(envelope)}
    inner = (
        "".join(
            f"<{tag}><![CDATA[{text}]]></{tag}>"
            for tag, text in ((c.tag, c.text) for c in StdElementTree.fromstring(xml))
        )
        if compatible
        else ""
    )
    body = (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>{inner}"
        f"<Encrypt><![CDATA[{fields['Encrypt']}]]></Encrypt></xml>"
    )
    query.update({"encrypt_type": "aes", "msg_signature": fields["MsgSignature"]})
    return body, query


def decrypt_reply(crypto, reply):
    fields = {child.tag: child.text for child in StdElementTree.fromstring(reply)}
    return parse_message(crypto.decrypt_message(reply, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]))


# ---- URL verification --------------------------------------------------------------------------


async def test_url_verification_echoes_echostr(start_channel):
    channel = await start_channel()
    assert await channel.get(**signed(), echostr="echo-123") == (200, "echo-123")


async def test_url_verification_with_a_bad_signature_is_403(start_channel):
    channel = await start_channel()
    assert (await channel.get(**signed(token="wrong"), echostr="x"))[0] == 403
    assert (await channel.get(echostr="x"))[0] == 403


# ---- plaintext mode ----------------------------------------------------------------------------


async def test_a_text_message_goes_to_rasa_and_the_answer_comes_back(start_channel):
    channel = await start_channel()
    status, body = await channel.post(text_xml("留工补助怎么领"), **signed())
    assert status == 200
    reply = reply_of(body)
    assert reply.type == "text" and reply.content == "收到：留工补助怎么领"
    assert reply.source == ACCOUNT and reply.target == USER
    assert channel.rasa.turns == [(USER, "留工补助怎么领")]


async def test_several_bot_messages_are_joined_into_one_reply(start_channel):
    channel = await start_channel(FakeRasa(answer=lambda text: ["第一条", "第二条"]))
    _, body = await channel.post(text_xml("你好"), **signed())
    assert reply_of(body).content == "第一条\n\n第二条"


async def test_a_forged_signature_is_403_and_never_reaches_rasa(start_channel):
    channel = await start_channel()
    status, _ = await channel.post(text_xml("你好"), **signed(token="forged"))
    assert status == 403 and channel.rasa.turns == []


async def test_a_replayed_old_timestamp_is_rejected(start_channel):
    channel = await start_channel()
    status, _ = await channel.post(text_xml("你好"), **signed(timestamp=int(time.time()) - 600))
    assert status == 403 and channel.rasa.turns == []


# ---- safe and compatible mode ------------------------------------------------------------------


async def test_safe_mode_decrypts_the_request_and_encrypts_the_reply(start_channel):
    channel = await start_channel(aes=True)
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    body, query = encrypted_request(crypto, text_xml("消费券还能用吗"))
    status, reply = await channel.post(body, **query)
    assert status == 200 and "<Encrypt>" in reply and "消费券" not in reply
    message = decrypt_reply(crypto, reply)
    assert message.content == "收到：消费券还能用吗" and message.target == USER


async def test_compatible_mode_is_answered_encrypted(start_channel):
    channel = await start_channel(aes=True)
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    body, query = encrypted_request(crypto, text_xml("兼容模式", msg_id="2000002"), compatible=True)
    status, reply = await channel.post(body, **query)
    assert status == 200 and decrypt_reply(crypto, reply).content == "收到：兼容模式"


async def test_safe_mode_checks_the_msg_signature_and_the_appid(start_channel):
    channel = await start_channel(aes=True)
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    body, query = encrypted_request(crypto, text_xml("你好"))
    assert (await channel.post(body, **{**query, "msg_signature": "0" * 40}))[0] == 403
    other_app = WeChatCrypto(TOKEN, AES_KEY, "wx0000000000000000")
    body, query = encrypted_request(other_app, text_xml("你好", msg_id="3000003"))
    assert (await channel.post(body, **query))[0] == 403
    assert channel.rasa.turns == []


def test_our_reply_with_a_wrong_signature_would_be_refused_by_wechatpy():
    """The decrypting side really checks: a tampered reply is refused by the SDK."""
    from bot.channels.wechat_protocol import encrypted_reply_xml, text_reply_xml

    config = WeChatConfig.from_env({"WECHAT_TOKEN": TOKEN, "WECHAT_APPID": APP_ID, "WECHAT_ENCODING_AES_KEY": AES_KEY})
    reply = encrypted_reply_xml(config.cipher, TOKEN, text_reply_xml(USER, ACCOUNT, "内容"))
    fields = {child.tag: child.text for child in StdElementTree.fromstring(reply)}
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    assert (
        parse_message(
            crypto.decrypt_message(reply, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"])
        ).content
        == "内容"
    )
    with pytest.raises(InvalidSignatureException):
        crypto.decrypt_message(reply, "0" * 40, fields["TimeStamp"], fields["Nonce"])
    with pytest.raises(InvalidAppIdException):
        WeChatCrypto(TOKEN, AES_KEY, "wx0000000000000000").decrypt_message(
            reply, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]
        )


# ---- retries and slow answers ------------------------------------------------------------------


async def test_three_retries_of_one_msgid_make_one_rasa_turn_and_one_identical_reply(start_channel):
    channel = await start_channel(FakeRasa(delay=0.5))
    xml = text_xml("查投诉进度", msg_id="4000004")
    replies = await asyncio.gather(*[channel.post(xml, **signed()) for _ in range(4)])
    assert len(channel.rasa.turns) == 1
    contents = {reply_of(body).content for status, body in replies if status == 200}
    assert contents == {"收到：查投诉进度"} and all(status == 200 for status, _ in replies)


async def test_a_retry_after_a_restart_gets_the_first_reply_without_rasa(start_channel):
    first = await start_channel()
    xml = text_xml("我要投诉", msg_id="5000005")
    _, body = await first.post(xml, **signed())
    restarted = await start_channel()  # a new worker, the same message log
    _, again = await restarted.post(xml, **signed())
    assert reply_of(again).content == reply_of(body).content == "收到：我要投诉"
    assert restarted.rasa.turns == []


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="needs TEST_REDIS_URL (make test starts Redis)")
async def test_two_workers_sharing_redis_answer_a_message_once(start_channel):
    from bot.channels.message_log import RedisMessageLog

    shared = RedisMessageLog(os.environ["TEST_REDIS_URL"], prefix=f"test:{uuid.uuid4().hex}:")
    first = await start_channel(FakeRasa(delay=0.5), message_log=shared)
    second = await start_channel(FakeRasa(delay=0.5), message_log=shared)
    xml = text_xml("两个进程", msg_id="5500005")
    replies = await asyncio.gather(
        first.post(xml, **signed()), second.post(xml, **signed()), second.post(xml, **signed())
    )
    assert len(first.rasa.turns) + len(second.rasa.turns) == 1
    assert {reply_of(body).content for _, body in replies} == {"收到：两个进程"}


async def test_a_slow_answer_is_acknowledged_and_sent_by_the_customer_service_api(start_channel, wechat_api):
    channel = await start_channel(FakeRasa(delay=1.0), reply_timeout=0.3)
    xml = text_xml("慢慢回答", msg_id="6000006")
    assert await channel.post(xml, **signed()) == (200, "success")
    assert await channel.post(xml, **signed()) == (200, "success")  # WeChat's retry: no second turn
    for _ in range(50):
        if wechat_api.sent:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.2)
    assert wechat_api.sent == [("token-1", {"touser": USER, "msgtype": "text", "text": {"content": "收到：慢慢回答"}})]
    assert len(channel.rasa.turns) == 1


async def test_a_long_answer_is_split_and_the_rest_sent_by_the_api(start_channel, wechat_api):
    long_answer = ["第一段：" + "留工补助" * 150, "第二段：" + "消费券" * 150]
    channel = await start_channel(FakeRasa(answer=lambda text: long_answer))
    _, body = await channel.post(text_xml("都告诉我", msg_id="7000007"), **signed())
    passive = reply_of(body).content
    assert len(passive.encode("utf-8")) <= 2048 and passive.startswith("第一段")
    for _ in range(50):
        if wechat_api.sent:
            break
        await asyncio.sleep(0.1)
    rest = "".join(payload["text"]["content"] for _, payload in wechat_api.sent)
    assert (passive + rest).replace("\n", "") == "".join(long_answer)


# ---- events, other message types and bad input -------------------------------------------------


async def test_subscribe_gets_the_welcome(start_channel):
    channel = await start_channel(FakeRasa(answer=lambda text: ["您好！我是稳岗留工政策助手"]))
    _, body = await channel.post(event_xml("subscribe"), **signed())
    assert reply_of(body).content == "您好！我是稳岗留工政策助手"
    assert channel.rasa.turns == [(USER, "/greet")]


async def test_other_events_are_acknowledged_quietly(start_channel):
    channel = await start_channel()
    assert await channel.post(event_xml("unsubscribe"), **signed()) == (200, "success")
    assert channel.rasa.turns == []


@pytest.mark.parametrize("msg_type", ["image", "voice", "location", "video"])  # voice: recognition off
async def test_non_text_messages_get_a_polite_text(start_channel, msg_type):
    """Media the bot cannot read: how to ask instead (a voice message: say it again or type)."""
    channel = await start_channel()
    xml = (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{USER}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"
        f"<MediaId><![CDATA[media]]></MediaId><MsgId>8000008</MsgId></xml>"
    )
    _, body = await channel.post(xml, **signed())
    expected = VOICE_UNHEARD if msg_type == "voice" else TEXT_ONLY
    assert reply_of(body).content == expected and channel.rasa.turns == []


# ---- voice (接收语音识别结果) ----------------------------------------------------------------------


async def test_a_voice_transcript_is_answered_like_text_with_what_was_heard_first(start_channel):
    channel = await start_channel()
    status, body = await channel.post(voice_xml("流工补贴怎么领"), **signed())
    assert status == 200
    assert reply_of(body).content == f"{HEARD_PREFIX}流工补贴怎么领\n收到：流工补贴怎么领"
    assert channel.rasa.turns == [(USER, "流工补贴怎么领")]  # the NLU's normaliser reads 流工 as 留工


@pytest.mark.parametrize("compatible", [False, True], ids=["safe", "compatible"])
async def test_a_voice_transcript_in_safe_and_compatible_mode(start_channel, compatible):
    channel = await start_channel(aes=True)
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    body, query = encrypted_request(crypto, voice_xml("生死县消费劝还能用吗", msg_id="9200002"), compatible=compatible)
    status, reply = await channel.post(body, **query)
    assert status == 200 and "消费劝" not in reply  # encrypted
    assert decrypt_reply(crypto, reply).content == f"{HEARD_PREFIX}生死县消费劝还能用吗\n收到：生死县消费劝还能用吗"
    assert channel.rasa.turns == [(USER, "生死县消费劝还能用吗")]


async def test_a_retried_voice_msgid_is_answered_once(start_channel):
    channel = await start_channel(FakeRasa(delay=0.5))
    xml = voice_xml("查一下我的投诉进度", msg_id="9300003")
    replies = await asyncio.gather(*[channel.post(xml, **signed()) for _ in range(4)])
    assert len(channel.rasa.turns) == 1
    assert {reply_of(body).content for _, body in replies} == {
        f"{HEARD_PREFIX}查一下我的投诉进度\n收到：查一下我的投诉进度"
    }


@pytest.mark.parametrize("recognition", [None, "", "   ", "\u200b"], ids=["off", "empty", "blank", "invisible"])
async def test_voice_without_a_transcript_gets_the_text_prompt(start_channel, recognition):
    channel = await start_channel()
    _, body = await channel.post(voice_xml(recognition, msg_id="9400004"), **signed())
    assert reply_of(body).content == VOICE_UNHEARD and channel.rasa.turns == []


async def test_an_id_number_read_out_is_not_echoed_in_full_nor_logged(start_channel, caplog):
    caplog.set_level("DEBUG")
    channel = await start_channel()
    spoken = "我的身份证号是三三零九二二一九九零零一零一一二三四"
    _, body = await channel.post(voice_xml(spoken, msg_id="9500005"), **signed())
    heard = reply_of(body).content.split("\n")[0]
    assert heard == f"{HEARD_PREFIX}我的身份证号是三三零九二二********一二三四"
    assert channel.rasa.turns == [(USER, spoken)]  # Rasa reads it; the tracker store masks it
    assert "一九九零零一零一" not in caplog.text


async def test_a_long_transcript_is_shortened_in_the_heard_line_and_the_answer_still_fits(start_channel, wechat_api):
    long_answer = ["答：" + "留工补助" * 500]
    channel = await start_channel(FakeRasa(answer=lambda text: long_answer))
    spoken = "那个就是" * 100
    _, body = await channel.post(voice_xml(spoken, msg_id="9600006"), **signed())
    passive = reply_of(body).content
    first_line = passive.split("\n")[0]
    assert first_line.startswith(HEARD_PREFIX) and first_line.endswith("……") and len(first_line) < 80
    assert len(passive.encode("utf-8")) <= 2048
    for _ in range(50):
        if wechat_api.sent:
            break
        await asyncio.sleep(0.1)
    rest = "".join(payload["text"]["content"] for _, payload in wechat_api.sent)
    assert (passive + rest).replace("\n", "") == first_line + "".join(long_answer)


async def test_a_slow_voice_answer_is_sent_later_with_what_was_heard(start_channel, wechat_api):
    channel = await start_channel(FakeRasa(delay=1.0), reply_timeout=0.3)
    assert await channel.post(voice_xml("外麦小哥有补贴吗", msg_id="9700007"), **signed()) == (200, "success")
    for _ in range(50):
        if wechat_api.sent:
            break
        await asyncio.sleep(0.1)
    assert [payload["text"]["content"] for _, payload in wechat_api.sent] == [
        f"{HEARD_PREFIX}外麦小哥有补贴吗\n收到：外麦小哥有补贴吗"
    ]


# ---- the custom menu ----------------------------------------------------------------------------

MENU_TEXTS = click_texts()


@pytest.mark.parametrize("key", sorted(MENU_TEXTS))
async def test_a_menu_click_reads_as_the_request_it_stands_for(start_channel, key):
    channel = await start_channel()
    _, body = await channel.post(event_xml("CLICK", key=key), **signed())
    assert reply_of(body).content == f"收到：{MENU_TEXTS[key]}"
    assert channel.rasa.turns == [(USER, MENU_TEXTS[key])]


async def test_two_menu_taps_in_one_second_are_two_requests_and_a_retried_tap_one(start_channel):
    channel = await start_channel()
    for key in ("MENU_POLICY", "MENU_HUMAN", "MENU_HUMAN"):
        await channel.post(event_xml("CLICK", create_time=1673740900, key=key), **signed())
    assert [text for _, text in channel.rasa.turns] == [MENU_TEXTS["MENU_POLICY"], MENU_TEXTS["MENU_HUMAN"]]


@pytest.mark.parametrize(
    "event,key",
    [("CLICK", "MENU_GONE"), ("CLICK", ""), ("click", "x" * 200)],
    ids=["unknown-key", "no-key", "long-key"],
)
async def test_a_menu_tap_the_bot_cannot_place_gets_a_hint(start_channel, event, key):
    channel = await start_channel()
    _, body = await channel.post(event_xml(event, key=key), **signed())
    assert reply_of(body).content == MENU_HINT and channel.rasa.turns == []


async def test_opening_a_menu_link_gets_no_message(start_channel):
    """A VIEW tap opens a web page: a chat message on top of it would be noise."""
    channel = await start_channel()
    _, body = await channel.post(event_xml("VIEW", key="https://example.gov.cn/policy"), **signed())
    assert body == "success" and channel.rasa.turns == []


async def test_the_menu_is_published_with_the_access_token_and_its_names_unescaped(wechat_api):
    api = WeChatApi(wechat_api.base, APP_ID, SECRET)
    menu = {"button": [{"type": "click", "name": "人工服务", "key": "MENU_HUMAN"}]}
    try:
        wechat_api.refuse_next_token = True  # refused once: a new token, the same call again
        await api.create_menu(menu)
        assert wechat_api.token_requests == 2
        assert len(wechat_api.menus) == 1
        token, raw = wechat_api.menus[0]
        assert token == "token-2" and "人工服务" in raw and json.loads(raw) == menu
    finally:
        await api.close()


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    "<xml><Content>&lol3;</Content></xml>"
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>'
)


@pytest.mark.parametrize(
    "body",
    ["<xml><Content>unclosed", BOMB, EXTERNAL, "", "   ", "x" * (1024 * 1024), "<notxml></notxml>"],
    ids=["malformed", "bomb", "external-entity", "empty", "blank", "1MB", "wrong-root"],
)
async def test_bad_bodies_get_400_never_500(start_channel, body):
    channel = await start_channel()
    status, _ = await channel.post(body, **signed())
    assert status == 400 and channel.rasa.turns == []


async def test_without_a_token_the_channel_is_off(tmp_path):
    assert WeChatConfig.from_env({}) is None
    assert WeChatConfig.from_env({"WECHAT_TOKEN": "t"}).cipher is None
    assert WeChatConfig.from_env({"WECHAT_TOKEN": "t", "WECHAT_ENCODING_AES_KEY": AES_KEY}).cipher is not None


# ---- hostile text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content,seen",
    [
        ("/restart", "restart"),
        ('/intent{"x":1}', 'intent{"x":1}'),
        ("／restart", "restart"),
        ("\u200b/restart", "restart"),
        ("<script>alert(1)</script>", "＜script＞alert(1)＜/script＞"),
        ("留工\u200b\u200b补助\u202e怎么领", "留工补助怎么领"),
        ("嵊泗消費券現在還能用嗎", "嵊泗消費券現在還能用嗎"),
    ],
    ids=["restart", "intent-json", "fullwidth-slash", "hidden-slash", "script", "invisible", "traditional"],
)
async def test_text_reaches_rasa_cleaned(start_channel, content, seen):
    channel = await start_channel()
    status, body = await channel.post(text_xml(content), **signed())
    assert status == 200 and channel.rasa.turns == [(USER, seen)]
    assert "<" not in reply_of(body).content


@pytest.mark.parametrize(
    "content",
    ["", "   ", "\u200b" * 500, "/", "\u202e\u2066\ufeff"],
    ids=["empty", "blank", "zero-width", "slash", "bidi"],
)
async def test_nothing_readable_gets_a_polite_reply_without_rasa(start_channel, content):
    channel = await start_channel()
    _, body = await channel.post(text_xml(content), **signed())
    assert reply_of(body).content == UNREADABLE_REPLY and channel.rasa.turns == []


async def test_a_reply_never_carries_markup(start_channel):
    channel = await start_channel(FakeRasa(answer=lambda text: ["单位：<script>alert(1)</script>"]))
    _, body = await channel.post(text_xml("你好"), **signed())
    assert reply_of(body).content == "单位：＜script＞alert(1)＜/script＞"


async def test_an_empty_answer_gets_an_apology_not_silence(start_channel):
    channel = await start_channel(FakeRasa(answer=lambda text: []))
    _, body = await channel.post(text_xml("欠我" + "9" * 40 + "元"), **signed())
    assert reply_of(body).content == SYSTEM_ERROR


# ---- the customer-service API client and the splitter -----------------------------------------


async def test_workers_share_one_access_token_and_take_a_renewed_one_from_each_other(wechat_api, store_url):
    shared = SqlMessageLog(store_url)
    first = WeChatApi(wechat_api.base, APP_ID, SECRET, shared=lambda: shared)
    second = WeChatApi(wechat_api.base, APP_ID, SECRET, shared=lambda: shared)
    try:
        await first.send_text(USER, "一")
        await second.send_text(USER, "二")
        assert wechat_api.token_requests == 1  # the second worker used the first one's token
        wechat_api.refuse_next_token = True
        await second.send_text(USER, "三")  # refused: it fetches a new one and shares it
        assert wechat_api.token_requests == 2
        wechat_api.refuse_next_token = True  # WeChat has let the old token go
        await first.send_text(USER, "四")  # refused: it takes the shared new one, fetches none
        assert wechat_api.token_requests == 2
        assert [(token, payload["text"]["content"]) for token, payload in wechat_api.sent] == [
            ("token-1", "一"),
            ("token-1", "二"),
            ("token-2", "三"),
            ("token-2", "四"),
        ]
    finally:
        await first.close()
        await second.close()


async def test_the_access_token_is_cached_and_renewed_when_refused(wechat_api):
    api = WeChatApi(wechat_api.base, APP_ID, SECRET)
    try:
        await api.send_text(USER, "一")
        await api.send_text(USER, "二")
        assert wechat_api.token_requests == 1
        wechat_api.refuse_next_token = True
        await api.send_text(USER, "三")
        assert wechat_api.token_requests == 2
        assert [(token, payload["text"]["content"]) for token, payload in wechat_api.sent] == [
            ("token-1", "一"),
            ("token-1", "二"),
            ("token-2", "三"),
        ]
    finally:
        await api.close()


@pytest.mark.parametrize("text", ["短", "行\n" * 3000, "长" * 2000, "第一条\n\n" + "字" * 700 + "\n\n第三条"])
def test_split_keeps_every_character_within_the_limit(text):
    parts = split_for_wechat(text)
    assert all(len(p.encode("utf-8")) <= 2048 for p in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")
