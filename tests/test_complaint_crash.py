"""Crash test for filing a complaint: the real action server (`python -m bot.action_server`), reached
over HTTP with the request Rasa sends for `validate_complaint_form`, is SIGKILLed in the middle of
filing (BOT_FAILPOINT), then restarted and sent the same request again, as Rasa would retry it.

Exactly once: killed before the commit, nothing is filed and the draft survives, so the retry
files the ticket; killed after the commit, the ticket survives and every retry finds that same
ticket. The store is a SQLite file shared by this process and the action server.
"""

import signal
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import requests
import yaml

from bot.complaints.dialogue import SLOTS, display, form_key
from bot.complaints.service import FAILPOINT_ENV, ComplaintService, Draft
from bot.store.db import dispose_engines
from harness.servers import ACTION_SERVER_TOKEN, action_server_command, free_port, stack_env, wait_for
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.server
AUTH = {"Authorization": f"Bearer {ACTION_SERVER_TOKEN}"}  # as Rasa sends it (endpoints.yml)

SENDER = "crash-1"
OPENED_AT = 1673740800.0  # 2023-01-15 00:00 UTC: the user message that opened the form
CONFIRMED_AT = OPENED_AT + 300.0  # the "确认" that is being handled
KEY = form_key(SENDER, "complaint_form", OPENED_AT)
TODAY = "2023-01-15"
DRAFT = Draft(
    name="王大力",
    phone="13912345678",
    firm_name="嵊泗某水产公司",
    work_site="菜园镇码头",
    amount_yuan="12000",
    amount_text="12000元",
    months_count=3,
    workers=1,
    description="老板失联",
)


# ---- the action server ----------------------------------------------------------------------


class ActionServers:
    """Starts action servers on the test's store; every one is stopped at teardown."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.url = f"sqlite:///{tmp_path / 'store.db'}"
        self.processes: List[subprocess.Popen] = []
        self.logs: List[Path] = []

    def start(self, failpoint: Optional[str] = None) -> "Server":
        port = free_port()
        env = {k: v for k, v in stack_env().items() if k != FAILPOINT_ENV}
        env.update({"DATABASE_URL": self.url, "BOT_TODAY": TODAY})
        if failpoint:
            env[FAILPOINT_ENV] = failpoint
        log = self.tmp_path / f"actions-{len(self.processes) + 1}-{failpoint or 'clean'}.log"
        with open(log, "w") as out:
            process = subprocess.Popen(
                action_server_command(port), cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        self.logs.append(log)
        wait_for(f"http://127.0.0.1:{port}/health", process, log, timeout=60, interval=0.2)
        return Server(process, port, log)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


class Server:
    def __init__(self, process: subprocess.Popen, port: int, log: Path):
        self.process, self.port, self.log = process, port, log

    def call(self, payload: Dict[str, Any]) -> Dict[str, Any]:
        response = requests.post(f"http://127.0.0.1:{self.port}/webhook", json=payload, headers=AUTH, timeout=30)
        assert response.status_code == 200, (
            f"{response.status_code} {response.text[:300]}\n{self.log.read_text()[-3000:]}"
        )
        return response.json()

    def call_and_die(self, payload: Dict[str, Any]) -> None:
        """The request gets no reply: the server SIGKILLs itself at the failpoint."""
        with pytest.raises(requests.ConnectionError):
            requests.post(f"http://127.0.0.1:{self.port}/webhook", json=payload, headers=AUTH, timeout=30)
        self.process.wait(timeout=10)
        assert self.process.returncode == -signal.SIGKILL, self.log.read_text()[-3000:]


@pytest.fixture
def servers(tmp_path):
    servers = ActionServers(tmp_path)
    try:
        yield servers
    finally:
        servers.stop_all()
        dispose_engines()


@pytest.fixture
def store(servers) -> ComplaintService:
    """The test's own handle on the store (migrates it), with the draft waiting for "确认"."""
    service = ComplaintService(servers.url)
    service.save_draft(KEY, DRAFT)
    return service


# ---- the request Rasa sends -------------------------------------------------------------------


def load_domain() -> Dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))


def confirm_request(domain: Dict[str, Any]) -> Dict[str, Any]:
    """POST /webhook body for validate_complaint_form on the user's "确认" to the read-back."""
    slots: Dict[str, Any] = {name: None for name in domain["slots"]}
    slots.update(display(DRAFT))
    slots.update({"complaint_key": KEY, "requested_slot": SLOTS["confirmed"]})
    parse_data = {
        "text": "确认",
        "intent": {"name": "affirm", "confidence": 0.98},
        "entities": [],
        "intent_ranking": [{"name": "affirm", "confidence": 0.98}, {"name": "inform", "confidence": 0.01}],
    }
    tracker = {
        "sender_id": SENDER,
        "slots": slots,
        "latest_message": parse_data,
        "events": [
            {"event": "action", "name": "action_listen", "timestamp": CONFIRMED_AT - 1},
            {
                "event": "user",
                "text": "确认",
                "timestamp": CONFIRMED_AT,
                "parse_data": parse_data,
                "input_channel": "rest",
                "message_id": "m-confirm",
                "metadata": {},
            },
        ],
        "paused": False,
        "followup_action": None,
        "active_loop": {"name": "complaint_form"},
        "latest_action_name": "action_listen",
    }
    return {
        "next_action": "validate_complaint_form",
        "sender_id": SENDER,
        "tracker": tracker,
        "domain": domain,
        "version": "3.6.21",
    }


def slots_set(reply: Dict[str, Any]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in reply["events"] if e.get("event") == "slot"}


def test_request_matches_the_store():
    """The slots sent are all declared in the domain, and show the draft being confirmed."""
    domain = load_domain()
    slots = confirm_request(domain)["tracker"]["slots"]
    assert set(SLOTS.values()) | {"complaint_key", "complaint_outcome", "complaint_ticket"} <= set(domain["slots"])
    assert slots["complaint_phone"] == "139****5678" and slots["complaint_name"] == "王大力"
    assert slots["complaint_key"] == KEY and len(KEY) <= 64


# ---- the crashes ----------------------------------------------------------------------------


def test_killed_before_commit_files_nothing_and_the_retry_files_once(servers, store):
    payload = confirm_request(load_domain())

    servers.start(failpoint="before_commit").call_and_die(payload)
    assert store.count() == 0
    assert store.load_draft(KEY).name == "王大力"  # rolled back with the ticket: the retry can file it
    assert store.get_by_key(KEY) is None

    reply = servers.start().call(payload)
    slots = slots_set(reply)
    assert slots["complaint_ticket"].startswith(f"QX-{TODAY.replace('-', '')}-")
    assert slots["complaint_outcome"] == "filed"
    assert slots["complaint_key"] == KEY and slots["requested_slot"] is None
    assert store.count() == 1
    ticket = store.get(slots["complaint_ticket"])
    assert ticket.name == "王大力" and ticket.phone == "13912345678" and ticket.firm_name == "嵊泗某水产公司"
    assert str(ticket.amount_yuan) == "12000.00" and ticket.months_count == 3 and ticket.workers == 1
    assert store.load_draft(KEY).name is None  # the draft went with the filing


def test_killed_after_commit_keeps_the_ticket_and_retries_find_it(servers, store):
    payload = confirm_request(load_domain())

    servers.start(failpoint="after_commit").call_and_die(payload)
    assert store.count() == 1  # committed before the crash
    filed = store.get_by_key(KEY)
    assert filed is not None and filed.number.startswith(f"QX-{TODAY.replace('-', '')}-")
    assert store.load_draft(KEY).name is None  # deleted in the same transaction

    server = servers.start()
    for _ in range(2):  # Rasa's retry after the crash, then one more
        slots = slots_set(server.call(payload))
        assert slots["complaint_ticket"] == filed.number
        assert slots["complaint_outcome"] == "filed"
        assert store.count() == 1
    assert len(store.get(filed.number).events) == 1  # one "filed" entry in the audit trail
