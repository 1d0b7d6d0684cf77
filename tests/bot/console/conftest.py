"""A console application on a fresh store, with an agent and a supervisor, and a test client
that logs in the way a browser does (CSRF cookie and field, session cookie)."""

import re

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.console.app import create_app
from bot.console.settings import Settings
from bot.console.staff import StaffService

PASSWORDS = {"李坐席": "agent-pass-1", "王班长": "super-pass-1"}
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def console_settings(store_url, tmp_path, today):
    today("2023-01-20")
    staff = StaffService(store_url)
    staff.add("李坐席", "agent", PASSWORDS["李坐席"])
    staff.add("王班长", "supervisor", PASSWORDS["王班长"])
    # Rasa is not running here (port 9 refuses): the browser tests use the real one.
    return Settings(
        store_url=store_url,
        tracker_url=f"sqlite:///{tmp_path / 'tracker.db'}",
        rasa_url="http://127.0.0.1:9",
        rasa_token="t",
        secure_cookies=False,
    )


@pytest.fixture
async def make_client(console_settings):
    clients = []

    async def make(login_as=None):
        client = TestClient(TestServer(create_app(console_settings)))
        await client.start_server()
        clients.append(client)
        client.csrf = None
        if login_as:
            response = await login(client, login_as, PASSWORDS[login_as])
            assert response.status == 200 and "/copilot" in str(response.url), await response.text()
            client.csrf = csrf_of(await response.text())
        return client

    yield make
    for client in clients:
        await client.close()


def csrf_of(page: str) -> str:
    match = CSRF_FIELD.search(page)
    assert match, "no CSRF field in the page"
    return match.group(1)


async def login(client, name, password, next_path=None):
    page = await (await client.get("/login")).text()
    data = {"csrf": csrf_of(page), "name": name, "password": password}
    if next_path is not None:
        data["next"] = next_path
    return await client.post("/login", data=data)
