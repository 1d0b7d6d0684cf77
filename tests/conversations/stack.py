"""The live stack the conversation suite talks to, shared by pytest and `python -m tests.conversations`.

    with live_stack() as stack:              # Rasa + action server, seeded store, temp tracker db
        stack.set_today("2023-02-10")        # restarts only the action server with that BOT_TODAY
        requests.post(stack.base_url + "/webhooks/rest/webhook", ...)

The same set-up as the `chat` fixture of tests/test_live_server.py. "Today" is read only by the
action server (bot/clock.py), so Rasa starts once and the action server is restarted on the
same port for each date.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, Iterator, List, Optional

from harness.servers import (
    WECHAT_ENV,
    action_server_command,
    free_port,
    rasa_command,
    stack_env,
    stop,
    wait_for,
    write_endpoints,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


class LiveStack:
    def __init__(self, model: Path, logs: Path, today: str, extra_env: Optional[Dict[str, str]] = None):
        self.model, self.logs, self.today = Path(model), Path(logs), today
        self.extra_env = dict(extra_env or {})  # e.g. BOT_EXTRA_POLICY_DIRS for the fictional notice
        self.action_port, self.rasa_port = free_port(), free_port()
        self.base_url = f"http://127.0.0.1:{self.rasa_port}"
        self.store_url = f"sqlite:///{self.logs / 'store.db'}"
        self.tracker_url = f"sqlite:///{self.logs / 'tracker.db'}"  # never var/tracker.db
        self.actions: Optional[subprocess.Popen] = None
        self.rasa: Optional[subprocess.Popen] = None
        self._action_starts = 0

    def env(self) -> dict:
        return stack_env(
            BOT_TODAY=self.today,
            BOT_DEFAULT_REGION="",
            DATABASE_URL=self.store_url,
            BOT_TRACKER_URL=self.tracker_url,
            **WECHAT_ENV,
            SANIC_WORKERS="2",
            **self.extra_env,
        )

    def start(self) -> None:
        from bot.store.seed import seed_store

        endpoints = write_endpoints(self.logs / "endpoints.yml", self.action_port)
        seed_store(self.store_url, people=300, firms=20, progress=False)
        self._start_actions()
        with open(self.logs / "rasa.log", "w") as out:
            self.rasa = subprocess.Popen(
                rasa_command(self.model, endpoints, self.rasa_port),
                cwd=REPO_ROOT,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for(f"http://127.0.0.1:{self.action_port}/health", self.actions, self._actions_log())
        wait_for(f"{self.base_url}/", self.rasa, self.logs / "rasa.log")

    def _actions_log(self) -> Path:
        return self.logs / f"actions-{self._action_starts}-{self.today}.log"

    def _start_actions(self) -> None:
        self._action_starts += 1
        with open(self._actions_log(), "w") as out:
            self.actions = subprocess.Popen(
                action_server_command(self.action_port),
                cwd=REPO_ROOT,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def set_today(self, today: str) -> None:
        """Restart the action server (same port) with BOT_TODAY=today; nothing when it already is."""
        if today == self.today and self.actions is not None and self.actions.poll() is None:
            return
        stop(self.actions)
        self.today = today
        self._start_actions()
        wait_for(f"http://127.0.0.1:{self.action_port}/health", self.actions, self._actions_log())

    def stop(self) -> None:
        for process in (self.rasa, self.actions):
            stop(process)


def default_model() -> Path:
    """The model `make train` built for the current data, else the newest one in models/ (the
    data may have changed since: a warning says so)."""
    from bot.training import model_path

    path = model_path(REPO_ROOT / "models")
    if path.exists():
        return path
    models: List[Path] = sorted((REPO_ROOT / "models").glob("wengang-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise FileNotFoundError("no trained model in models/: run `make train` first")
    print(f"warning: no model for the current data ({path.name}); using the newest, {models[-1].name}", file=sys.stderr)
    return models[-1]


@contextlib.contextmanager
def live_stack(
    model: Optional[Path] = None,
    logs: Optional[Path] = None,
    today: str = "2023-01-20",
    extra_env: Optional[Dict[str, str]] = None,
) -> Iterator[LiveStack]:
    """Start Rasa and the action server (BOT_TODAY=today, plus `extra_env`); stop both on exit. Logs,
    the seeded store and the tracker db go to `logs` (a new temp directory when None, kept for reading)."""
    logs = Path(logs) if logs else Path(tempfile.mkdtemp(prefix="conversations-"))
    logs.mkdir(parents=True, exist_ok=True)
    stack = LiveStack(model or default_model(), logs, today, extra_env)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
