"""Starting the stacks under test: single servers (ours, stock Rasa) and the supervised layouts."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import requests

from benchmarks.latency.common import CLUSTER, REPO_ROOT, SUPERVISED, log
from harness.servers import SupervisedStack


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    log: Path
    started: float  # perf_counter at Popen


def start(name: str, command: List[str], cwd: Path, env: Dict[str, str], logs: Path, processes: List[Server]) -> Server:
    path = logs / f"{name}.log"
    with open(path, "w") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(name, process, path, time.perf_counter())
    processes.append(server)
    return server


def stop(processes: List[Server]) -> None:
    for server in processes:
        if server.process.poll() is None:
            server.process.terminate()
    for server in processes:
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


def first_reply(
    url: str,
    servers: Sequence[Server],
    message: str,
    t0: float,
    timeout: float = 300,
    headers: Optional[Dict[str, str]] = None,
) -> float:
    """Seconds from t0 until `url` answers `message` with some text (a new sender per attempt)."""
    deadline = time.monotonic() + timeout
    attempt = 0
    while time.monotonic() < deadline:
        for server in servers:
            if server.process.poll() is not None:
                raise RuntimeError(
                    f"{server.name} exited early ({server.process.returncode}):\n{server.log.read_text()[-3000:]}"
                )
        attempt += 1
        try:
            response = requests.post(
                url, json={"sender": f"cold-start-{attempt}", "message": message}, timeout=60, headers=headers
            )
            if response.ok and any(m.get("text") for m in response.json()):
                return time.perf_counter() - t0
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url}: no answer after {timeout} s:\n{servers[-1].log.read_text()[-3000:]}")


def start_supervised(
    name: str, tmp: Path, base_env: Dict[str, str], ctx: Dict[str, object], supervised: Dict[str, SupervisedStack]
) -> None:
    """`make run` or `make run-cluster` on free ports (scripts/run.sh under supervisord), the cluster on
    its own PostgreSQL database `wengang_bench`, emptied first so every run starts alike. The stack is
    in `supervised` before it starts, so a start that fails is stopped too."""
    work = tmp / name.replace(" ", "-")
    work.mkdir()
    if name == CLUSTER:
        url = subprocess.run(
            ["bash", "scripts/postgres.sh"],
            cwd=REPO_ROOT,
            check=True,
            text=True,
            capture_output=True,
            env={**base_env, "TEST_POSTGRES_DB": "wengang_bench"},
        ).stdout.strip()
        import sqlalchemy as sa

        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    stack = supervised[name] = SupervisedStack(SUPERVISED[name], work, database="wengang_bench")
    log(f"{name}: starting scripts/run.sh {'cluster' if name == CLUSTER else 'serve'} under supervisord …")
    t0 = time.perf_counter()
    up_s = stack.start()
    ctx[f"{name}_up_s"] = up_s
    ctx[f"{name}_cold_s"] = first_reply(stack.rest_url, [], "嵊泗的留工补助怎么领？", t0, headers=stack.rest_headers)
    log(f"{name}: running after {up_s:.1f} s, first answer after {ctx[f'{name}_cold_s']:.1f} s")
