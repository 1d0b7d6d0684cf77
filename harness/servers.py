"""Starting and stopping real servers (Rasa, the action server, the supervised stack) on free ports:
the commands, the secrets and the environment they run with, the same as scripts/run.sh gives them.
Used by the live tests (tests/), the fault and fuzz runners and `make bench-latency` (benchmarks/)."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
# The shared secret between Rasa and the action server, and the REST channel's bearer token (REST
# needs it whenever the WeChat channel is on, as in WECHAT_ENV).
ACTION_SERVER_TOKEN = "test-action-server-token"
REST_TOKEN = "test-rest-token"
REST_HEADERS = {"Authorization": f"Bearer {REST_TOKEN}"}
WECHAT_ENV = {
    "WECHAT_TOKEN": "live-token",
    "WECHAT_APPID": "wx00000000000000aa",
    "WECHAT_SECRET": "s",
    "WECHAT_ENCODING_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "WECHAT_API_BASE": "http://127.0.0.1:9",
}


def stack_env(**overrides: str) -> dict:
    """This process's environment plus the stack's secrets (and `overrides`)."""
    return {**os.environ, "ACTION_SERVER_TOKEN": ACTION_SERVER_TOKEN, "REST_TOKEN": REST_TOKEN, **overrides}


def action_server_command(port: int) -> List[str]:
    return [sys.executable, "-m", "bot.action_server", "--port", str(port)]


def rasa_command(model, endpoints, port: int, *extra: str) -> List[str]:
    """`rasa run` as scripts/run.sh starts it: through bot.logsafe, which masks its output."""
    return [
        sys.executable,
        "-m",
        "bot.logsafe",
        "rasa",
        "run",
        "--model",
        str(model),
        "--endpoints",
        str(endpoints),
        "--credentials",
        "credentials.yml",
        "--port",
        str(port),
        *extra,
    ]


def write_endpoints(path: Path, action_port: int, stores: bool = True) -> Path:
    """An endpoints.yml like the project's, for an action server on `action_port`."""
    text = (
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        "  headers:\n    Authorization: Bearer ${ACTION_SERVER_TOKEN}\n"
    )
    if stores:
        text += (
            "tracker_store:\n  type: bot.tracker_store.MaskingTrackerStore\n"
            "lock_store:\n  type: bot.lock_store.SQLLockStore\n"
        )
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


class SupervisedStack:
    """`make run` (mode "default") or `make run-cluster` (mode "cluster"): scripts/run.sh under
    supervisord in its own process group, on its own free ports and var directory, with a store and
    tracker of its own (default: SQLite files in `work`; cluster: the database `database` on the local
    PostgreSQL, made by scripts/postgres.sh, and a supervised Redis on a free port). The cluster has the
    WeChat channel on (plaintext mode), so REST calls need `rest_headers`. Used by the fault runner
    (tests/faults) and `make bench-latency`."""

    def __init__(self, mode: str, work: Path, database: str = "wengang_stack"):
        self.mode, self.work = mode, work
        self.var = work / "var"
        base = free_ports(8)
        self.rasa_port, self.rasa_backend_port = base, base + 1  # Rasa processes on base+1, base+2
        self.actions_port = base + 3  # cluster: HAProxy there, action servers on base+4, base+5
        self.console_port, self.redis_port = base + 6, base + 7
        self.base_url = f"http://127.0.0.1:{self.rasa_port}"
        self.rest_url = f"{self.base_url}/webhooks/rest/webhook"
        self.rest_headers = REST_HEADERS if mode == "cluster" else {}
        self.process: Optional[subprocess.Popen] = None
        if mode == "cluster":
            # A database of its own on the local PostgreSQL (scripts/postgres.sh makes it).
            self.store_url = subprocess.run(
                ["bash", "scripts/postgres.sh"],
                cwd=REPO_ROOT,
                check=True,
                text=True,
                capture_output=True,
                env={**os.environ, "TEST_POSTGRES_DB": database},
            ).stdout.strip()
            self.tracker_url = self.store_url
        else:
            self.store_url = f"sqlite:///{work / 'store.db'}"
            self.tracker_url = f"sqlite:///{work / 'tracker.db'}"

    def env(self) -> Dict[str, str]:
        env = {
            **os.environ,
            "BOT_VAR_DIR": str(self.var),
            "RASA_PORT": str(self.rasa_port),
            "RASA_BACKEND_PORT": str(self.rasa_backend_port),
            "ACTIONS_PORT": str(self.actions_port),
            "CONSOLE_PORT": str(self.console_port),
            "RASA_PROCESSES": "2",
            "DATABASE_URL": self.store_url,
            "BOT_TRACKER_URL": self.tracker_url,
            "BOT_TODAY": "2023-01-20",
            "BOT_DEFAULT_REGION": "",
            "RASA_TOKEN": "fault-rasa-token",
            "ACTION_SERVER_TOKEN": "fault-action-token",
            "REST_TOKEN": REST_TOKEN,
        }
        if self.mode == "cluster":
            # WeChat on, in plaintext mode (the fault users sign their requests as WeChat does).
            env.update(
                WECHAT_ENV,
                WECHAT_ENCODING_AES_KEY="",
                ACTIONS_PROCESSES="2",
                ACTIONS_HOST="127.0.0.1",
                RASA_HOST="127.0.0.1",
                CONSOLE_HOST="127.0.0.1",
                REDIS_HOST="127.0.0.1",
                REDIS_PORT=str(self.redis_port),
                REDIS_LOCK_DB="1",
                WECHAT_REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/2",
            )
        return env

    def start(self, timeout: float = 600) -> float:
        started = time.monotonic()
        self.out = self.work / "run.log"
        with open(self.out, "w") as out:
            self.process = subprocess.Popen(
                ["bash", "scripts/run.sh", "cluster" if self.mode == "cluster" else "serve"],
                cwd=REPO_ROOT,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        while time.monotonic() - started < timeout:
            if "稳岗留工政策助手 is running" in self.out.read_text():
                return time.monotonic() - started
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"scripts/run.sh exited ({self.process.returncode}):\n{self.out.read_text()[-3000:]}"
                )
            time.sleep(1)
        raise TimeoutError(f"stack not up after {timeout}s:\n{self.out.read_text()[-3000:]}")

    def supervisorctl(self, *args: str) -> str:
        return subprocess.run(
            [str(REPO_ROOT / ".venv/bin/supervisorctl"), "-c", str(self.var / "supervisord.conf"), *args],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()

    def pid(self, program: str) -> int:
        return int(self.supervisorctl("pid", program))

    def kill9(self, program: str) -> Tuple[float, str]:
        """(monotonic time of the kill, what was done)"""
        pid = self.pid(program)
        os.kill(pid, signal.SIGKILL)
        return time.monotonic(), f"killed {program} (pid {pid})"

    def restart(self, program: str) -> Tuple[float, str]:
        at = time.monotonic()
        return at, self.supervisorctl("restart", program).replace("\n", "; ")

    def up(self, program: str) -> Callable[[], bool]:
        """Whether the program serves again."""
        if program == "redis":
            return lambda: (
                subprocess.run(
                    ["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True, text=True
                ).stdout.strip()
                == "PONG"
            )
        if program.startswith("rasa:rasa-"):
            url = f"http://127.0.0.1:{self.rasa_backend_port + int(program.rsplit('-', 1)[1]) - 1}/webhooks/rest/ready"
        elif program.startswith("actions-"):
            number = int(program.rsplit("-", 1)[1])
            url = f"http://127.0.0.1:{self.actions_port + number}/health"
        else:
            raise ValueError(program)

        def answers() -> bool:
            try:
                return requests.get(url, timeout=1).ok
            except requests.RequestException:
                return False

        return answers

    def stop(self) -> float:
        """SIGTERM to scripts/run.sh (as Ctrl-C): seconds until everything has exited."""
        if self.process is None or self.process.poll() is not None:
            return 0.0
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        return time.monotonic() - started
