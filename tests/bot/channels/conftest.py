"""Channels under test run in a real Sanic server, as `rasa run` mounts them; Rasa is a fake."""

import uuid

import pytest
from sanic import Sanic

from harness.servers import free_port


@pytest.fixture(scope="session", autouse=True)
def one_sanic_touchup():
    """Sanic 21.12 rewrites its protocol classes ("touchup") when an app starts; a second app in
    the same process fails on the rewritten code. `rasa run` starts one app per process; these
    tests start several, so the rewrite runs once."""
    import sanic.app

    original = sanic.app.TouchUp.run
    done = []

    def run_once(app):
        if not done:
            done.append(True)
            original(app)

    sanic.app.TouchUp.run = run_once
    yield
    sanic.app.TouchUp.run = original


@pytest.fixture
async def serve_blueprint():
    """serve(blueprint, url_prefix) → the server's base URL with the prefix; stopped after the test."""
    servers = []

    async def serve(blueprint, url_prefix: str) -> str:
        app = Sanic(f"channel-{uuid.uuid4().hex[:8]}")
        app.blueprint(blueprint, url_prefix=url_prefix)
        port = free_port()
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.start_serving()
        servers.append(server)
        return f"http://127.0.0.1:{port}{url_prefix}"

    yield serve
    for server in servers:
        server.close()
        await server.wait_closed()
