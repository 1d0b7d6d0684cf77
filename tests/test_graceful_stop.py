"""Graceful stop (issue 19): a Rasa process told to stop (SIGTERM, as supervisord and Ctrl-C do)
finishes the message it is answering: the reply arrives whole, the turn is saved, and the
conversation's lock is handed back.

The turn is made slow by a proxy in front of the real action server that holds each action call
for 3 s; SIGTERM reaches Rasa while it waits for that call.
"""

import asyncio
import json
import signal
import subprocess
import threading
import time

import aiohttp
import pytest
import requests
import sqlalchemy as sa
from aiohttp import web

from harness.servers import action_server_command, free_port, rasa_command, stack_env, stop, wait_for, write_endpoints
from tests.conftest import REPO_ROOT, trained_model

pytestmark = pytest.mark.server
HOLD_SECONDS = 3


class SlowProxy:
    """POST /webhook held HOLD_SECONDS, then passed on to the action server; `called` is set
    when the first call arrives."""

    def __init__(self, target: str, port: int):
        self.target, self.port = target, port
        self.called = threading.Event()
        self.loop = asyncio.new_event_loop()

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.called.set()
        await asyncio.sleep(HOLD_SECONDS)
        async with aiohttp.ClientSession() as session:
            async with session.post(
                self.target,
                data=body,
                headers={"Authorization": request.headers.get("Authorization", ""), "Content-Type": "application/json"},
            ) as response:
                return web.Response(body=await response.read(), status=response.status, content_type="application/json")

    def start(self) -> None:
        app = web.Application()
        app.router.add_post("/webhook", self.handle)
        runner = web.AppRunner(app)

        def run():
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(runner.setup())
            self.loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
            self.loop.run_forever()

        threading.Thread(target=run, daemon=True).start()


def test_sigterm_finishes_the_turn_being_answered(tmp_path):
    action_port, proxy_port, rasa_port = free_port(), free_port(), free_port()
    endpoints = write_endpoints(tmp_path / "endpoints.yml", proxy_port)
    from bot.store.seed import seed_store

    store = f"sqlite:///{tmp_path / 'store.db'}"
    seed_store(store, people=50, firms=5, progress=False)
    tracker = f"sqlite:///{tmp_path / 'tracker.db'}"
    env = {
        **stack_env(),
        "BOT_TODAY": "2023-01-20",
        "BOT_DEFAULT_REGION": "",
        "DATABASE_URL": store,
        "BOT_TRACKER_URL": tracker,
        "SANIC_WORKERS": "1",
    }
    proxy = SlowProxy(f"http://127.0.0.1:{action_port}/webhook", proxy_port)
    proxy.start()
    actions = rasa = None
    try:
        with open(tmp_path / "actions.log", "w") as out:
            actions = subprocess.Popen(
                action_server_command(action_port), cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        with open(tmp_path / "rasa.log", "w") as out:
            rasa = subprocess.Popen(
                rasa_command(trained_model(), endpoints, rasa_port),
                cwd=REPO_ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for(f"http://127.0.0.1:{action_port}/health", actions, tmp_path / "actions.log")
        wait_for(f"http://127.0.0.1:{rasa_port}/", rasa, tmp_path / "rasa.log")

        reply = {}

        def ask():
            response = requests.post(
                f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
                json={"sender": "graceful", "message": "嵊泗的留工补助怎么领？"},
                timeout=60,
            )
            reply["status"] = response.status_code
            reply["text"] = "\n".join(m.get("text", "") for m in response.json())

        asking = threading.Thread(target=ask)
        asking.start()
        assert proxy.called.wait(60), "the turn never called the action server"
        signalled = time.monotonic()
        rasa.send_signal(signal.SIGTERM)
        asking.join(60)
        assert reply.get("status") == 200, reply
        assert "500元" in reply["text"] and "系统暂时出了点问题" not in reply["text"], reply
        assert time.monotonic() - signalled >= HOLD_SECONDS - 1  # it really was in the middle of the turn
        rasa.wait(timeout=30)  # and it does exit
        engine = sa.create_engine(tracker)
        with engine.connect() as connection:
            locks = connection.execute(sa.text("select count(*) from conversation_locks")).scalar()
            texts = (
                connection.execute(
                    sa.text("select data from events where sender_id = 'graceful' and type_name = 'bot'")
                )
                .scalars()
                .all()
            )
        engine.dispose()
        assert locks == 0, "the conversation's lock was left behind"
        assert any("500元" in (json.loads(data).get("text") or "") for data in texts), "the answered turn was not saved"
    finally:
        stop(rasa)
        stop(actions)
        proxy.loop.call_soon_threadsafe(proxy.loop.stop)
