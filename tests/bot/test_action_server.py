"""The action server (bot/action_server.py), started as `make run` starts it: it answers only the
Rasa server (shared secret), listens on loopback, and never sends a tracker back or logs it."""

import json
import subprocess
from pathlib import Path

import pytest
import requests

from harness.servers import ACTION_SERVER_TOKEN, action_server_command, free_port, stack_env, stop, wait_for

REPO_ROOT = Path(__file__).resolve().parents[2]
PHONE = "13912345678"
MARKER = "仅供测试的投诉内容"


def forged_call(action: str = "action_complaint_done") -> dict:
    """What an attacker would send: a tracker that names somebody else's ticket."""
    return {
        "next_action": action,
        "sender_id": "attacker",
        "version": "3.6.2",
        "domain": {},
        "tracker": {
            "sender_id": "attacker",
            "slots": {"ticket_number": "QX-20230120-0001", "complaint_phone": PHONE},
            "latest_message": {"text": f"{MARKER} {PHONE}", "intent": {}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("actions")
    port, log = free_port(), work / "actions.log"
    env = stack_env(DATABASE_URL=f"sqlite:///{work / 'store.db'}", BOT_TODAY="2023-01-20")
    with open(log, "w") as out:
        process = subprocess.Popen(
            action_server_command(port), cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_for(f"http://127.0.0.1:{port}/health", process, log, timeout=120)
        yield f"http://127.0.0.1:{port}", port, log
    finally:
        stop(process)


def test_health_is_open(server):
    base, _, _ = server
    assert requests.get(f"{base}/health", timeout=10).json() == {"status": "ok"}


@pytest.mark.parametrize(
    "headers,params",
    [
        ({}, {}),
        ({"Authorization": "Bearer wrong"}, {}),
        ({"Authorization": f"Basic {ACTION_SERVER_TOKEN}"}, {}),
        ({}, {"token": "wrong"}),
        ({"Authorization": "Bearer "}, {}),
    ],
)
def test_a_call_without_the_secret_is_refused_and_not_logged(server, headers, params):
    base, _, log = server
    for action in ("action_complaint_done", "action_callback_done", "validate_status_form"):
        reply = requests.post(f"{base}/webhook", json=forged_call(action), headers=headers, params=params, timeout=10)
        assert reply.status_code == 401
        assert reply.json() == {"error": "unauthorized"}
        assert "QX-" not in reply.text and PHONE not in reply.text
    assert requests.get(f"{base}/actions", headers=headers, params=params, timeout=10).status_code == 401
    text = log.read_text()
    assert "refused" in text
    assert MARKER not in text and PHONE not in text and "QX-20230120-0001" not in text


def test_the_secret_opens_it_as_header_or_as_rasas_token_parameter(server):
    base, _, _ = server
    by_header = requests.get(f"{base}/actions", headers={"Authorization": f"Bearer {ACTION_SERVER_TOKEN}"}, timeout=10)
    by_param = requests.get(f"{base}/actions", params={"token": ACTION_SERVER_TOKEN}, timeout=10)
    assert by_header.status_code == by_param.status_code == 200
    assert {"name": "action_answer_policy"} in by_header.json()


def test_a_failing_action_answers_without_the_request(server):
    base, _, log = server
    call = forged_call("action_answer_policy")
    call["tracker"] = [MARKER, PHONE]  # not a tracker: the SDK fails reading it
    reply = requests.post(
        f"{base}/webhook",
        data=json.dumps(call),
        headers={"Authorization": f"Bearer {ACTION_SERVER_TOKEN}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert reply.status_code == 500
    assert reply.json() == {"error": "internal error"}
    assert MARKER not in reply.text and PHONE not in reply.text and "request_body" not in reply.text
    assert MARKER not in log.read_text() and PHONE not in log.read_text()


def test_it_listens_on_loopback_only(server):
    _, port, _ = server
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                listening.add(address)
    assert listening == {"0100007F"}, listening  # 127.0.0.1, nothing on 0.0.0.0 or ::


def test_it_will_not_start_without_a_secret(tmp_path):
    env = stack_env(ACTION_SERVER_TOKEN="")
    result = subprocess.run(
        action_server_command(free_port()), cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "ACTION_SERVER_TOKEN" in result.stderr


def test_the_project_endpoints_send_the_secret_as_a_bearer_header(monkeypatch):
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("ACTION_SERVER_TOKEN", "rotated-secret")
    config = read_endpoint_config(str(REPO_ROOT / "endpoints.yml"), "action_endpoint")
    assert config.headers == {"Authorization": "Bearer rotated-secret"}
    assert config.url.startswith("http://localhost:")
