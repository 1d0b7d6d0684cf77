"""The guarded REST channel (bot/channels/rest.py) in a real Sanic server, Rasa a recording fake:
who may speak, which bodies are refused (400, never 500, never a hanging stream), and what Rasa
gets and the caller sees for hostile text."""

import asyncio
import json

import pytest

from bot.channels.rest import MAX_BODY_BYTES, MAX_MESSAGE_CHARS, GuardedRestInput, read_body
from bot.channels.wechat import SYSTEM_ERROR
from bot.text.clean import UNREADABLE_REPLY
from tests.bot.channels.fakes import FakeRasa, http

TOKEN = "rest-token-for-tests-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


class Rest:
    def __init__(self, url, rasa):
        self.url, self.rasa = url, rasa

    async def post(self, body, headers=None, stream=False):
        """(status, parsed body) within 10 s: a hanging request fails the test."""
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        params = {"stream": "true"} if stream else None
        status, text, _ = await asyncio.wait_for(
            http("POST", f"{self.url}/webhook", data=data, headers=headers, params=params), 10
        )
        if stream and status == 200:
            return status, [json.loads(line) for line in text.splitlines() if line]
        return status, json.loads(text)

    async def say(self, message, sender="user-1", **kwargs):
        status, body = await self.post({"sender": sender, "message": message}, **kwargs)
        assert status == 200, body
        return [m["text"] for m in body]


@pytest.fixture
def start_rest(serve_blueprint):
    async def start(rasa=None, rest_token=None, wechat_on=False):
        rasa = rasa or FakeRasa()
        channel = GuardedRestInput(rest_token=rest_token, wechat_on=wechat_on)
        return Rest(await serve_blueprint(channel.blueprint(rasa), "/webhooks/rest"), rasa)

    return start


async def test_ready_only_once_rasa_has_loaded_its_model():
    """GET /webhooks/rest/ready: HAProxy's health check; Rasa's `GET /` answers while loading."""
    import uuid

    from sanic import Sanic

    from harness.servers import free_port

    class Agent:
        loaded = False

        def is_ready(self):
            return self.loaded

    app = Sanic(f"ready-{uuid.uuid4().hex[:8]}")
    app.blueprint(GuardedRestInput().blueprint(FakeRasa()), url_prefix="/webhooks/rest")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.start_serving()
    try:
        url = f"http://127.0.0.1:{port}/webhooks/rest/ready"
        assert (await http("GET", url))[0] == 503  # no agent yet
        app.ctx.agent = Agent()
        assert (await http("GET", url))[0] == 503  # loading
        app.ctx.agent.loaded = True
        assert (await http("GET", url))[0] == 200
    finally:
        server.close()
        await server.wait_closed()


# ---- access -------------------------------------------------------------------------------------


async def test_with_wechat_off_rest_is_open_as_before(start_rest):
    rest = await start_rest()
    assert await rest.say("嵊泗的消费券还能用吗") == ["收到：嵊泗的消费券还能用吗"]
    assert rest.rasa.turns == [("user-1", "嵊泗的消费券还能用吗")]


async def test_with_wechat_on_and_no_rest_token_rest_is_off(start_rest):
    rest = await start_rest(wechat_on=True)
    status, body = await rest.post({"sender": "oUser-openid-0001", "message": "你好"}, headers=BEARER)
    assert status == 403 and "REST_TOKEN" in body["error"] and "关闭" in body["error"]
    assert rest.rasa.turns == []


@pytest.mark.parametrize(
    "headers",
    [
        None,
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": "Bearer 令牌"},
    ],
    ids=["none", "wrong", "basic", "no-scheme", "longer", "non-ascii"],
)
async def test_with_wechat_on_rest_needs_the_bearer_token(start_rest, headers):
    rest = await start_rest(rest_token=TOKEN, wechat_on=True)
    status, body = await rest.post({"sender": "oUser-openid-0001", "message": "查投诉进度"}, headers=headers)
    assert status == 401 and "Bearer" in body["error"]
    assert rest.rasa.turns == []


async def test_with_wechat_on_the_token_holder_may_speak(start_rest):
    rest = await start_rest(rest_token=TOKEN, wechat_on=True)
    assert await rest.say("你好", headers=BEARER) == ["收到：你好"]
    assert await rest.say("你好", headers={"Authorization": f"bearer  {TOKEN} "}) == ["收到：你好"]


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("WECHAT_TOKEN", raising=False)
    monkeypatch.delenv("REST_TOKEN", raising=False)
    assert GuardedRestInput.from_credentials(None).status == "open"
    monkeypatch.setenv("WECHAT_TOKEN", "w")
    assert GuardedRestInput.from_credentials({}).status == "off"
    monkeypatch.setenv("REST_TOKEN", TOKEN)
    channel = GuardedRestInput.from_credentials(None)
    assert channel.status == "bearer token" and channel.rest_token == TOKEN and channel.name() == "rest"


async def test_the_health_route_says_whether_rest_is_on(start_rest):
    assert (await http("GET", f"{(await start_rest()).url}/"))[:2] == (200, '{"status":"ok"}')
    assert (await http("GET", f"{(await start_rest(wechat_on=True)).url}/"))[:2] == (200, '{"status":"off"}')


# ---- bodies -------------------------------------------------------------------------------------

BAD_BODIES = {
    "empty": "",
    "blank": "  \n ",
    "not-json": "sender=me&message=hi",
    "truncated-json": '{"sender": "me", "message": "你好"',
    "number": "42",
    "string": '"你好"',
    "null": "null",
    "true": "true",
    "array": '[{"sender": "me", "message": "你好"}]',
    "nan": "NaN",
    "empty-object": "{}",
    "no-message": '{"sender": "me"}',
    "no-sender": '{"message": "你好"}',
    "numeric-sender": '{"sender": 12345, "message": "你好"}',
    "empty-sender": '{"sender": "", "message": "你好"}',
    "blank-sender": '{"sender": "   ", "message": "你好"}',
    "long-sender": json.dumps({"sender": "x" * 129, "message": "你好"}),
    "newline-sender": json.dumps({"sender": "me\nyou", "message": "你好"}),
    "surrogate-sender": '{"sender": "me\\ud800", "message": "你好"}',
    "null-message": '{"sender": "me", "message": null}',
    "numeric-message": '{"sender": "me", "message": 12000}',
    "object-message": '{"sender": "me", "message": {"text": "你好"}}',
    "list-message": '{"sender": "me", "message": ["你好"]}',
    "long-message": json.dumps({"sender": "me", "message": "欠" * (MAX_MESSAGE_CHARS + 1)}),
    "list-metadata": '{"sender": "me", "message": "你好", "metadata": [1]}',
    "huge-body": json.dumps({"sender": "me", "message": "x", "pad": "y" * MAX_BODY_BYTES}),
    "deep-nesting": "[" * 100_000 + "]" * 100_000,
    "invalid-utf8": b'{"sender": "me", "message": "\xff\xfe"}',
}


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("body", list(BAD_BODIES.values()), ids=list(BAD_BODIES))
async def test_malformed_bodies_get_400_with_a_json_error(start_rest, body, stream):
    rest = await start_rest()
    status, answer = await rest.post(body, stream=stream)
    assert status == 400 and isinstance(answer["error"], str) and answer["error"]
    assert rest.rasa.turns == []


def test_read_body_keeps_what_rasa_needs():
    message = read_body(
        json.dumps(
            {"sender": "oUser-1", "message": " /restart ", "metadata": {"k": 1}, "input_channel": "wechat"}
        ).encode()
    )
    assert (message.sender, message.text, message.metadata) == ("oUser-1", "restart", {"k": 1})


# ---- what Rasa gets, what the caller sees ---------------------------------------------------------


@pytest.mark.parametrize(
    "raw,seen",
    [
        ("/restart", "restart"),
        ('/intent{"x":1}', 'intent{"x":1}'),
        ("／restart", "restart"),
        ("\u200b/restart", "restart"),
        ("<script>alert(1)</script>", "＜script＞alert(1)＜/script＞"),
        ("留工\x00补助\ud800怎么领\x1b[0m", "留工补助怎么领[0m"),
        ("abc\u202edlrow", "abcdlrow"),
        ("9" * 5000, "9" * 1000),
        ("啊" * MAX_MESSAGE_CHARS, "啊" * 1000),  # the longest message taken: cut, answered
    ],
)
async def test_rasa_gets_the_cleaned_text(start_rest, raw, seen):
    rest = await start_rest()
    await rest.say(raw)
    assert rest.rasa.turns == [("user-1", seen)]


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("raw", ["", "\u200b" * 500, "\x00\x01\x02", "\ud800", "/", " / ／ ", "\u202e\u2066"])
async def test_nothing_readable_is_answered_without_rasa(start_rest, raw, stream):
    rest = await start_rest()
    assert await rest.say(raw, stream=stream) == [UNREADABLE_REPLY]
    assert rest.rasa.turns == []


async def test_the_intent_shortcut_never_reaches_rasa_from_any_angle(start_rest):
    rest = await start_rest()
    for raw in ("/restart", " /restart", "\t/session_start", '/greet{"region": "嵊泗"}', "//stop"):
        await rest.say(raw)
    assert all(not text.startswith("/") for _, text in rest.rasa.turns)


async def test_replies_never_carry_markup(start_rest):
    rest = await start_rest(FakeRasa(answer=lambda text: ["单位：<script>alert(1)</script>"]))
    assert await rest.say("你好") == ["单位：＜script＞alert(1)＜/script＞"]
    assert await rest.say("你好", stream=True) == ["单位：＜script＞alert(1)＜/script＞"]


def failing(text):
    raise RuntimeError("the action server answered 500")


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("answer", [failing, lambda text: []], ids=["rasa-fails", "no-answer"])
async def test_a_failed_or_empty_turn_gets_an_apology_not_silence(start_rest, answer, stream):
    rest = await start_rest(FakeRasa(answer=answer))
    assert await rest.say("欠我" + "9" * 40 + "元", stream=stream) == [SYSTEM_ERROR]


async def test_streaming_sends_each_message_as_a_json_line(start_rest):
    rest = await start_rest(FakeRasa(answer=lambda text: ["第一条", "第二条"]))
    status, lines = await rest.post({"sender": "u", "message": "你好"}, stream=True)
    assert status == 200 and [(m["recipient_id"], m["text"]) for m in lines] == [("u", "第一条"), ("u", "第二条")]


async def test_the_input_channel_is_always_rest(start_rest):
    seen = []

    async def rasa(message):
        seen.append((message.input_channel, message.metadata))
        await message.output_channel.send_text_message(message.sender_id, "好")

    rest = await start_rest(rasa)
    await rest.post({"sender": "u", "message": "你好", "input_channel": "wechat", "metadata": {"k": 1}})
    assert seen == [("rest", {"k": 1})]


def test_rasa_mounts_it_at_the_rest_url(tmp_path, monkeypatch):
    """credentials.yml names `bot.channels.rest.GuardedRestInput:` instead of Rasa's `rest:`."""
    from rasa.core.run import create_http_input_channels

    monkeypatch.setenv("WECHAT_TOKEN", "w")
    monkeypatch.setenv("REST_TOKEN", TOKEN)
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("bot.channels.rest.GuardedRestInput:\n", encoding="utf-8")
    [channel] = create_http_input_channels(None, str(credentials))
    assert isinstance(channel, GuardedRestInput) and channel.url_prefix() == "rest"
    assert channel.status == "bearer token"
