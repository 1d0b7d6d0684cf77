"""Helpers for tests that start real servers (Rasa, the action server): the commands, the
secrets and the environment they run with, the same as scripts/run.sh gives them."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional

import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
# The shared secret between Rasa and the action server, and the REST channel's bearer token (REST
# needs it whenever the WeChat channel is on, as in WECHAT_ENV).
ACTION_SERVER_TOKEN = "test-action-server-token"
REST_TOKEN = "test-rest-token"
REST_HEADERS = {"Authorization": f"Bearer {REST_TOKEN}"}
WECHAT_ENV = {"WECHAT_TOKEN": "live-token", "WECHAT_APPID": "wx00000000000000aa", "WECHAT_SECRET": "s",
              "WECHAT_ENCODING_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
              "WECHAT_API_BASE": "http://127.0.0.1:9"}


def stack_env(**overrides: str) -> dict:
    """This process's environment plus the stack's secrets (and `overrides`)."""
    return {**os.environ, "ACTION_SERVER_TOKEN": ACTION_SERVER_TOKEN, "REST_TOKEN": REST_TOKEN, **overrides}


def action_server_command(port: int) -> List[str]:
    return [sys.executable, "-m", "bot.action_server", "--port", str(port)]


def rasa_command(model, endpoints, port: int, *extra: str) -> List[str]:
    """`rasa run` as scripts/run.sh starts it: through bot.logsafe, which masks its output."""
    return [sys.executable, "-m", "bot.logsafe", "rasa", "run", "--model", str(model), "--endpoints", str(endpoints),
            "--credentials", "credentials.yml", "--port", str(port), *extra]


def write_endpoints(path: Path, action_port: int, stores: bool = True) -> Path:
    """An endpoints.yml like the project's, for an action server on `action_port`."""
    text = (f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
            '  headers:\n    Authorization: Bearer ${ACTION_SERVER_TOKEN}\n')
    if stores:
        text += ("tracker_store:\n  type: bot.tracker_store.MaskingTrackerStore\n"
                 "lock_store:\n  type: bot.lock_store.SQLLockStore\n")
    Path(path).write_text(text)
    return Path(path)


def stop(process: Optional[subprocess.Popen], timeout: float = 20) -> None:
    """Terminate one server we started, and any worker processes it left behind."""
    if process is None or process.poll() is not None:
        return
    kids = {pid: _cmdline(pid) for pid in children(process.pid)}
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)
    # Workers still there (Sanic's, still loading the model, ignore SIGTERM): asked, then killed.
    for signal_number in (15, 9):
        left = [pid for pid, cmdline in kids.items() if cmdline and _cmdline(pid) == cmdline]  # not a reused id
        for pid in left:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal_number)
        deadline = time.monotonic() + 5
        while left and time.monotonic() < deadline:
            left = [pid for pid in left if _cmdline(pid) == kids[pid]]
            time.sleep(0.1)
        if not left:
            return


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def children(pid: int) -> List[int]:
    """The ids of the processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def free_ports(count: int) -> int:
    """The first of `count` consecutive free loopback ports (a stack whose ports follow each other)."""
    import random

    for _ in range(200):
        base = random.randint(20000, 40000)
        sockets = []
        try:
            for port in range(base, base + count):
                sockets.append(socket.socket())
                sockets[-1].bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free ports")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process, log: Path, timeout: float = 240, interval: float = 0.5) -> None:
    """Until `url` answers; fails early with the server's log if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early ({process.returncode}):\n{Path(log).read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(interval)
    raise TimeoutError(f"{url} not up after {timeout}s:\n{Path(log).read_text()[-3000:]}")
