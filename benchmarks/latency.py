"""Benchmark: REST latency of the full stack against a stock Rasa 3.6 server, under load.

    python -m benchmarks.latency [--quick] [--seconds S] [--out FILE] [--plot FILE]

In one run, with every server started here and stopped at the end:

* Our stack: the action server (`python -m bot.action_server`) and the Rasa server with the model
  `make train` built, in one worker process per core (at most 4) sharing the SQLLockStore, as
  `make run` starts it (`--workers`); for the back-to-back levels also a second Rasa server in a
  single process (`--no-one-worker` skips it), the MaskingTrackerStore on a fresh SQLite file and
  a freshly seeded SQLite store (300 people, 20 firms; BOT_TODAY=2023-01-20), as tests/test_live_server.py starts them.
* Stock Rasa: `rasa init --no-prompt` (the moodbot project, its own model trained; the
  training is timed), served by `rasa run --model DIR/models` with no endpoints.
* Cold start (process start → first answered REST message) of both.
* A load generator (aiohttp) replaying conversations over REST at 1, 10 and 50 concurrent
  virtual users for a fixed time per level, the two stacks interleaved level by level. Each
  virtual user talks sequentially; every conversation it starts is a new sender id. Ours mixes
  policy questions, an eligibility check with consent and an ID number, and a wage-arrears
  complaint filed to the end; stock sends the moodbot messages. p50 / p95 / p99 (ms),
  messages per second, errors (non-200 or exceptions) and answers missing the expected text.
* Latency against conversation length: one sender per repeat sends 100 policy questions in a
  row; p50 / p95 of the last 10 turns up to turn 1, 20 and 100.
* Peak memory (VmHWM) of the three servers after the load.

Writes a Markdown report and a PNG plot of the percentiles against concurrency.
Targets: p95 ≤ 150 ms at 10 concurrent users; zero errors at 50; our p50 ≤ 1.5 × stock.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import aiohttp
import requests

from tests.servers import (
    SupervisedStack,
    action_server_command,
    children,
    free_port,
    rasa_command,
    stack_env,
    wait_for,
    write_endpoints,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
HERE = Path(__file__).parent
LEVELS = (1, 10, 50)
LENGTHS = (1, 20, 100)
TODAY = "2023-01-20"

# (message, a fragment the answer must contain; None: anything non-empty)
Conversation = Sequence[Tuple[str, Optional[str]]]
OURS: Tuple[Conversation, ...] = (
    (
        ("嵊泗的留工补助怎么领？", "500元"),
        ("消费券现在还能用吗", "消费券"),
        ("那江苏呢", "苏人社函"),
        ("外卖小哥过年留在嵊泗有补贴吗", "500元"),
    ),
    (("帮我查查我能不能领留工补助", "同意"), ("同意", "身份证号"), ("520101199003159012", "符合条件")),
    (
        ("我叫王大力，电话13912345678，嵊泗某水产公司欠我三个月工资一共一万二", "工地、项目或地点"),
        ("在船上干活", "多少人"),
        ("就我1个", "请核对"),
        ("确认提交", "工单号"),
    ),
)
STOCK: Tuple[Conversation, ...] = (
    (("hello", "How are you"), ("I am sad", "Did that help you?"), ("yes", "Great, carry on"), ("bye", "Bye")),
    (("hello", "How are you"), ("great", "Great, carry on"), ("bye", "Bye")),
)
LENGTH_QUESTIONS = ("嵊泗的留工补助怎么领？", "消费券现在还能用吗", "那江苏呢", "外卖小哥过年留在嵊泗有补贴吗")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ONE_WORKER = "ours, 1 worker"
MAKE_RUN = "make run"  # the supervised default layout: HAProxy, 2 Rasa processes, 1 action server
CLUSTER = "cluster"  # make run-cluster: HAProxy, 2 Rasa, 2 action servers, PostgreSQL, Redis
SUPERVISED = {MAKE_RUN: "default", CLUSTER: "cluster"}


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---- /proc ---------------------------------------------------------------------------------------


def meminfo_total_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def status_kib(pid: int, key: str) -> Optional[int]:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def process_cpu_s(pid: int) -> float:
    """utime + stime of one process, seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def machine_busy_s() -> float:
    """CPU seconds spent busy by the whole machine since boot (all cores)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / CLOCK_TICKS


def descendants(pid: int) -> List[int]:
    """Every process below `pid` (supervisord's programs and their workers)."""
    found = children(pid)
    return found + [q for p in found for q in descendants(p)]


class CpuMeter:
    """CPU used by the servers under test, and by everything else on the machine (the load
    generator, i.e. this process, is counted separately), over one measurement."""

    def __init__(self, pids: Sequence[int]):
        self.pids = [q for p in pids for q in (p, *descendants(p))]  # Rasa's worker processes too

    def __enter__(self) -> "CpuMeter":
        self.t0 = time.monotonic()
        self.busy0 = machine_busy_s()
        self.servers0 = sum(process_cpu_s(p) for p in self.pids)
        self.self0 = process_cpu_s(os.getpid())
        return self

    def __exit__(self, *exc) -> None:
        elapsed = time.monotonic() - self.t0
        servers = sum(process_cpu_s(p) for p in self.pids) - self.servers0
        own = process_cpu_s(os.getpid()) - self.self0
        busy = machine_busy_s() - self.busy0
        self.server_cores = servers / elapsed
        self.loadgen_cores = own / elapsed
        self.other_cores = max(0.0, busy - servers - own) / elapsed


# ---- servers -------------------------------------------------------------------------------------


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


# ---- load ----------------------------------------------------------------------------------------


@dataclass
class LevelResult:
    stack: str
    users: int
    seconds: float = 0.0
    latencies: List[float] = field(default_factory=list)  # ms, successful replies
    errors: int = 0
    unexpected: int = 0
    error_samples: List[str] = field(default_factory=list)
    unexpected_samples: List[str] = field(default_factory=list)
    server_cores: float = 0.0
    loadgen_cores: float = 0.0
    other_cores: float = 0.0
    load_before: float = 0.0
    think: float = 0.0  # mean pause between a user's turns (0: back-to-back)

    @property
    def pacing(self) -> str:
        return f"paced (~{self.think:g} s between turns)" if self.think else "back-to-back"

    @property
    def messages(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def throughput(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)


async def send(
    session: aiohttp.ClientSession, url: str, sender: str, message: str, expect: Optional[str], result: LevelResult
) -> Optional[float]:
    started = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": message}) as response:
            body = await response.read()
            ms = (time.perf_counter() - started) * 1000
            if response.status != 200:
                result.errors += 1
                if len(result.error_samples) < 5:
                    result.error_samples.append(f"HTTP {response.status} for {message!r}: {body[:200]!r}")
                return None
    except Exception as error:  # timeouts, refused or reset connections
        result.errors += 1
        if len(result.error_samples) < 5:
            result.error_samples.append(f"{type(error).__name__} for {message!r}: {error}")
        return None
    result.latencies.append(ms)
    try:
        text = "\n".join(m.get("text") or "" for m in json.loads(body))
    except (ValueError, AttributeError):
        text = ""
    if not text.strip() or (expect is not None and expect not in text):
        result.unexpected += 1
        if len(result.unexpected_samples) < 5:
            result.unexpected_samples.append(f"{message!r} → {text[:120]!r}")
    return ms


async def virtual_user(
    session,
    url: str,
    tag: str,
    user: int,
    conversations: Sequence[Conversation],
    deadline: float,
    result: LevelResult,
    think: float = 0.0,
) -> None:
    # Do not start every user in the same millisecond; paced users arrive over one think time, as
    # people who do not all press send at once (else the first turn is a burst of `users` messages).
    await asyncio.sleep(random.random() * (think or 0.5))
    k = 0
    while time.monotonic() < deadline:
        sender = f"{tag}-u{user}-c{k}"
        for message, expect in conversations[(user + k) % len(conversations)]:
            if time.monotonic() >= deadline:
                return
            await send(session, url, sender, message, expect, result)
            if think:  # a person reads the answer and types the next message
                await asyncio.sleep(min(random.uniform(0.5, 1.5) * think, max(0.0, deadline - time.monotonic())))
        k += 1


async def run_level(
    stack: str,
    url: str,
    users: int,
    seconds: float,
    conversations,
    pids: Sequence[int],
    tag: str,
    think: float = 0.0,
    headers: Optional[Dict[str, str]] = None,
) -> LevelResult:
    result = LevelResult(stack, users, load_before=os.getloadavg()[0], think=think)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(
        timeout=timeout, connector=aiohttp.TCPConnector(limit=0), headers=headers
    ) as session:
        with CpuMeter(pids) as meter:
            started = time.perf_counter()
            deadline = time.monotonic() + seconds
            await asyncio.gather(
                *(virtual_user(session, url, tag, u, conversations, deadline, result, think) for u in range(users))
            )
            result.seconds = time.perf_counter() - started
    result.server_cores, result.loadgen_cores, result.other_cores = (
        meter.server_cores,
        meter.loadgen_cores,
        meter.other_cores,
    )
    return result


async def warm_up(
    url: str, conversations, stack: str, rounds: int = 2, headers: Optional[Dict[str, str]] = None
) -> List[str]:
    problems = LevelResult(stack, 1)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120), headers=headers) as session:
        for r in range(rounds):
            for i, conversation in enumerate(conversations):
                for message, expect in conversation:
                    await send(session, url, f"warmup-{r}-{i}", message, expect, problems)
    return problems.error_samples + problems.unexpected_samples


async def conversation_length(url: str, repeats: int) -> Tuple[Dict[int, List[float]], int]:
    """Latency (ms) of the last 10 turns up to each length in LENGTHS, over `repeats` senders."""
    by_turn: List[List[float]] = []
    errors = LevelResult("length", 1)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        for r in range(repeats):
            turns = []
            for turn in range(max(LENGTHS)):
                ms = await send(session, url, f"long-{r}", LENGTH_QUESTIONS[turn % len(LENGTH_QUESTIONS)], None, errors)
                turns.append(ms)
            by_turn.append(turns)
            log(
                f"  sender long-{r}: turn 1 {turns[0] or float('nan'):.0f} ms, "
                f"turn {max(LENGTHS)} {turns[-1] or float('nan'):.0f} ms"
            )
    windows = {}
    for length in LENGTHS:
        windows[length] = [ms for turns in by_turn for ms in turns[max(0, length - 10) : length] if ms is not None]
    return windows, errors.errors


# ---- report --------------------------------------------------------------------------------------


def plot(results: List[LevelResult], path: Path, workers: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.2), dpi=120)
    colours = {0.50: "tab:blue", 0.95: "tab:orange", 0.99: "tab:red"}
    ours_label = f"our stack ({workers} worker{'s' if workers != 1 else ''})"
    for stack, style, marker in (("ours", "-", "o"), ("stock", "--", "s")):
        rows = [r for r in results if r.stack == stack and not r.think]
        for q, colour in colours.items():
            ax.plot(
                [r.users for r in rows],
                [r.p(q) for r in rows],
                linestyle=style,
                marker=marker,
                color=colour,
                label=f"{ours_label if stack == 'ours' else 'stock Rasa (moodbot)'} p{int(q * 100)}",
            )
    single = [r for r in results if r.stack == ONE_WORKER]
    if single:
        for q, colour in ((0.50, "tab:blue"), (0.95, "tab:orange")):
            ax.plot(
                [r.users for r in single],
                [r.p(q) for r in single],
                linestyle="-.",
                marker="x",
                color=colour,
                alpha=0.6,
                label=f"our stack, 1 worker p{int(q * 100)}",
            )
    for name, marker in ((MAKE_RUN, "D"), (CLUSTER, "P")):
        rows = [r for r in results if r.stack == name and not r.think]
        if rows:
            ax.plot(
                [r.users for r in rows],
                [r.p(0.5) for r in rows],
                linestyle=(0, (5, 1)),
                marker=marker,
                color="tab:purple" if name == CLUSTER else "tab:brown",
                label=f"{name} layout p50",
            )
    paced = [r for r in results if r.stack == "ours" and r.think]
    if paced:
        ax.plot(
            [r.users for r in paced],
            [r.p(0.95) for r in paced],
            linestyle=":",
            marker="^",
            color="tab:green",
            label=f"our stack p95, users pausing ~{paced[0].think:g} s between turns",
        )
    ax.axhline(150, color="grey", linestyle=":", linewidth=1)
    ax.plot([10], [150], marker="*", markersize=12, color="grey", linestyle="none")
    ax.text(11, 150 * 0.86, "target: p95 ≤ 150 ms at 10 users", color="grey", fontsize=8, va="top")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(list(LEVELS))
    ax.set_xticklabels([str(level) for level in LEVELS])
    ax.set_xlabel("concurrent users")
    ax.set_ylabel("latency per message (ms, log scale)")
    ax.set_title(f"REST latency vs concurrency — Rasa 3.6, {os.cpu_count()} cores, {dt.date.today()}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def users_text(users: int) -> str:
    return f"{users} user{'s' if users != 1 else ''}"


def fmt_ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def report(
    ctx: Dict[str, object],
    results: List[LevelResult],
    lengths: Dict[int, List[float]],
    length_errors: int,
    memory: List[Tuple[str, Optional[int], Optional[int], int]],
    plot_name: str,
) -> str:
    ours = {r.users: r for r in results if r.stack == "ours" and not r.think}
    stock = {r.users: r for r in results if r.stack == "stock" and not r.think}
    paced = {r.users: r for r in results if r.stack == "ours" and r.think}
    single = {r.users: r for r in results if r.stack == ONE_WORKER}
    lines = [
        "# REST latency benchmark: our stack against stock Rasa",
        "",
        f"Measured {ctx['date']} on {platform.machine()} ({os.cpu_count()} cores, {ctx['cpu']}), "
        f"{meminfo_total_gib():.1f} GiB memory, Python {platform.python_version()}, Rasa {ctx['rasa']}, "
        f"`{ctx['command']}` ({ctx['wall']:.0f} s wall time, {ctx['seconds']:g} s of load per level).",
        "",
        "“ours”: one `rasa run` (no supervisor, no load balancer; the layout `make run` used before issue 19) "
        f"with `{ctx['model']}` in {ctx['workers']} worker "
        "processes (`SANIC_WORKERS`; one per core) sharing the SQLLockStore, the MaskingTrackerStore on a fresh "
        "SQLite file, the action server, a SQLite store seeded with 300 people and 20 firms, "
        "BOT_TODAY=2023-01-20. “ours, 1 worker”: the same with a single Rasa process, as stock Rasa runs, "
        "for the back-to-back levels. Stock: the moodbot "
        "project of `rasa init --no-prompt` served by `rasa run --model DIR/models` with no endpoints "
        "(no action server, in-memory tracker store). Both servers were up during the whole load; the "
        "stacks took turns level by level, each after a warm-up of two rounds of its conversations.",
        "",
        "## Start-up",
        "",
        "| | time |",
        "|---|---:|",
        f"| stock: `rasa init --no-prompt` (moodbot, trains its model) | {ctx['init_s']:.1f} s |",
        f"| ours: action server, process start → /health | {ctx['action_up_s']:.1f} s |",
        f"| ours: Rasa + action server, process start → first answer (“嵊泗的留工补助怎么领？”) | "
        f"{ctx['ours_cold_s']:.1f} s |",
        *(
            [f"| ours, 1 worker: Rasa process start → first answer | {ctx['one_worker_cold_s']:.1f} s |"]
            if "one_worker_cold_s" in ctx
            else []
        ),
        f"| stock: `rasa run`, process start → first answer (“hello”) | {ctx['stock_cold_s']:.1f} s |",
        *[
            f"| {name}: scripts/run.sh start → “is running” / → first answer | {ctx[f'{name}_up_s']:.1f} s / "
            f"{ctx[f'{name}_cold_s']:.1f} s |"
            for name in SUPERVISED
            if f"{name}_up_s" in ctx
        ],
        "",
        "## Load",
        "",
        "Each virtual user sends one message at a time and waits for the answer; every conversation it "
        "starts is a new sender id. Back-to-back: the next message goes out as soon as the answer is in "
        "(a stress test of capacity). Paced: users start over one think time and pause 0.5–1.5 × the mean "
        "think time between turns, "
        "as a person reading the answer and typing does in WeChat. "
        "Ours: policy questions (4 turns: 嵊泗的留工补助怎么领？ / "
        "消费券现在还能用吗 / 那江苏呢 / 外卖小哥过年留在嵊泗有补贴吗), an eligibility check (3 turns: "
        "帮我查查我能不能领留工补助 / 同意 / 520101199003159012) and a wage-arrears complaint filed "
        "to the end (4 turns, one ticket each), in turn. Stock: hello / I am sad / yes / bye and "
        "hello / great / bye. Latency is per message (request sent → reply read), successful replies "
        "only. Errors: non-200 answers and exceptions (timeouts at 120 s, refused connections). "
        "Unexpected: 200 answers without the expected text. CPU columns are cores busy on average: the "
        "server processes of that stack, and everything else on the machine except the load generator.",
        "",
        "| stack | users | pacing | messages | p50 | p95 | p99 | msg/s | errors | unexpected | server CPU | other CPU | load avg before |",  # noqa: E501  (one table row / one list)
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.stack} | {r.users} | {r.pacing} | {r.messages:,} | {fmt_ms(r.p(0.5))} | {fmt_ms(r.p(0.95))} | "
            f"{fmt_ms(r.p(0.99))} | {r.throughput:.1f} | {r.errors} | {r.unexpected} | "
            f"{r.server_cores:.2f} | {r.other_cores:.2f} | {r.load_before:.2f} |"
        )
    lines += [
        "",
        "Back-to-back, ours against stock:",
        "",
        "| users | p50 ours / stock | p95 ours / stock | msg/s ours / stock | p50 ours, 1 worker / stock | "
        "msg/s ours, 1 worker / stock |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for users in LEVELS:
        if users in ours and users in stock:
            o, s = ours[users], stock[users]
            one = single.get(users)
            lines.append(
                f"| {users} | {o.p(0.5) / s.p(0.5):.2f}× | {o.p(0.95) / s.p(0.95):.2f}× | "
                f"{o.throughput / s.throughput:.2f}× | "
                f"{f'{one.p(0.5) / s.p(0.5):.2f}×' if one else '—'} | "
                f"{f'{one.throughput / s.throughput:.2f}×' if one else '—'} |"
            )
    layouts = [name for name in SUPERVISED if any(r.stack == name for r in results)]
    if layouts:
        lines += [
            "",
            "## The supervised layouts: `make run` and `make run-cluster`",
            "",
            f"“{MAKE_RUN}”: scripts/run.sh as `make run` starts it: supervisord, HAProxy in front of 2 `rasa run` "
            "processes (one worker each) and 1 action server, the SQL lock store and the MaskingTrackerStore on "
            "SQLite files, the demo store (`bot db seed`). "
            f"“{CLUSTER}”: scripts/run.sh cluster as `make run-cluster` starts it: HAProxy in front of 2 Rasa "
            "processes and 2 action servers, PostgreSQL (the local Debian server) for the store and the tracker, "
            "Redis for Rasa's lock store and the WeChat message log. Both on this one machine, so "
            "every network hop is loopback; their server CPU counts supervisord and everything under it, "
            "not PostgreSQL. The same load as above, interleaved with the other stacks level by level.",
            "",
            "| users | pacing | "
            + " | ".join(f"p50 / p95 {name}" for name in ["ours", *layouts, "stock"])
            + " | "
            + " | ".join(f"p50 {name} / ours" for name in layouts)
            + " |",
            "|---:|---|" + "---:|" * (2 + 2 * len(layouts)),
        ]
        keyed = {(r.stack, r.users, r.think): r for r in results}
        for users, think in sorted({(r.users, r.think) for r in results if r.stack in layouts}):
            base = keyed.get(("ours", users, think))
            cells = []
            for name in ["ours", *layouts, "stock"]:
                row = keyed.get((name, users, think))
                cells.append(f"{fmt_ms(row.p(0.5))} / {fmt_ms(row.p(0.95))}" if row else "—")
            ratios = [
                f"{keyed[(name, users, think)].p(0.5) / base.p(0.5):.2f}×"
                if base and (name, users, think) in keyed
                else "—"
                for name in layouts
            ]
            pacing = "back-to-back" if not think else f"paced ~{think:g} s"
            lines.append(f"| {users} | {pacing} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
        errors = [
            f"{r.stack} at {users_text(r.users)}, {r.pacing}: {r.errors} errors, {r.unexpected} unexpected"
            for r in results
            if r.stack in layouts and (r.errors or r.unexpected)
        ]
        lines += [
            "",
            "Errors or unexpected answers in the supervised layouts: "
            + ("; ".join(errors) if errors else "none")
            + ".",
        ]
    samples = [(r, s) for r in results for s in r.error_samples + r.unexpected_samples]
    if samples:
        lines += ["", "First errors / unexpected answers:", ""]
        lines += [f"- {r.stack} at {users_text(r.users)}: `{s}`" for r, s in samples[:12]]
    lines += [
        "",
        f"![p50/p95/p99 against concurrency]({plot_name})",
        "",
        "## Conversation length (ours)",
        "",
        f"{ctx['repeats']} sender{'s' if ctx['repeats'] != 1 else ''}, one after the other, "
        f"each sending {max(LENGTHS)} policy questions "
        "in a row (the four above, repeated). The tracker of each grows with every turn "
        f"(MaskingTrackerStore on SQLite: after every message the tracker's new events are masked and "
        f"added). Latency of the last 10 turns up to each length; errors: {length_errors}.",
        "",
        "| turns | samples | p50 | p95 |",
        "|---:|---:|---:|---:|",
    ]
    for length in LENGTHS:
        values = lengths[length]
        lines.append(
            f"| {length} | {len(values)} | {fmt_ms(percentile(values, 0.5))} | {fmt_ms(percentile(values, 0.95))} |"
        )
    lines += [
        "",
        "## Memory after the load",
        "",
        "| process | peak (VmHWM) | resident now (VmRSS) |",
        "|---|---:|---:|",
    ]
    for name, hwm, rss, kids in memory:
        note = f" (+{kids} child processes)" if kids else ""
        lines.append(
            f"| {name}{note} | {hwm / 1024 if hwm else float('nan'):,.0f} MiB | "
            f"{rss / 1024 if rss else float('nan'):,.0f} MiB |"
        )

    # Targets.
    o10 = ours.get(10)
    lines += ["", "## Targets", "", "| target | measured | result |", "|---|---|---|"]
    if paced.get(10):
        p10 = paced[10]
        lines.append(
            f"| p95 ≤ 150 ms at 10 concurrent users (ours, {p10.pacing}) | {fmt_ms(p10.p(0.95))} | "
            f"{'PASS' if p10.p(0.95) <= 150 else 'FAIL'} |"
        )
    if o10:  # people pause to read and type; this is the machine's capacity, beyond the target's load
        s10 = stock.get(10)
        lines.append(
            f"| (stress, beyond the target) the same with 10 users sending back-to-back, no pause | "
            f"{fmt_ms(o10.p(0.95))}{f' (stock {fmt_ms(s10.p(0.95))})' if s10 else ''} | "
            f"{'PASS' if o10.p(0.95) <= 150 else 'FAIL'} |"
        )
    for run in [r for r in results if r.stack == "ours" and r.users == 50]:
        lines.append(
            f"| zero errors at 50 concurrent users (ours, {run.pacing}) | {run.errors} errors in "
            f"{run.messages:,} messages | {'PASS' if run.errors == 0 else 'FAIL'} |"
        )
    for users in LEVELS:
        if users in ours and users in stock:
            ratio = ours[users].p(0.5) / stock[users].p(0.5)
            what = "per-message latency (p50)" if users == 1 else "p50"
            lines.append(
                f"| our {what} ≤ 1.5 × stock, {users_text(users)} | "
                f"{fmt_ms(ours[users].p(0.5))} vs {fmt_ms(stock[users].p(0.5))} = {ratio:.2f}× | "
                f"{'PASS' if ratio <= 1.5 else 'FAIL'} |"
            )
            if users in single:  # the same, one process against one process
                ratio = single[users].p(0.5) / stock[users].p(0.5)
                lines.append(
                    f"| (for comparison) ours with 1 worker, p50 ≤ 1.5 × stock, {users_text(users)} | "
                    f"{fmt_ms(single[users].p(0.5))} vs {fmt_ms(stock[users].p(0.5))} = {ratio:.2f}× | "
                    f"{'PASS' if ratio <= 1.5 else 'FAIL'} |"
                )
    noisy = [r for r in results if r.other_cores > 0.25]
    if noisy:
        lines += [
            "",
            "Noise: other processes kept on average "
            + ", ".join(f"{r.other_cores:.2f} cores busy during {r.stack} at {users_text(r.users)}" for r in noisy)
            + f" (out of {os.cpu_count()}); those rows are slower than on an idle machine.",
        ]
    return "\n".join(lines) + "\n"


# ---- main ----------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds per level, one long sender")
    parser.add_argument("--seconds", type=float, help="load per stack and level (default 40, --quick 6)")
    parser.add_argument(
        "--think",
        type=float,
        default=3.0,
        help="mean pause between a user's turns in the paced runs (s; 0.5–1.5 × this)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=min(os.cpu_count() or 1, 4),
        help="Rasa worker processes of our stack (default: one per core, at most 4, as make run)",
    )
    parser.add_argument(
        "--no-one-worker", action="store_true", help="skip the comparison run of our stack with a single Rasa process"
    )
    parser.add_argument(
        "--no-supervised",
        action="store_true",
        help="skip the layouts of `make run` and `make run-cluster` (supervisord, HAProxy; the "
        "cluster with PostgreSQL and Redis)",
    )
    parser.add_argument("--out", default=str(HERE / "latency.md"))
    parser.add_argument("--plot", default=str(HERE / "latency_concurrency.png"))
    args = parser.parse_args(argv)
    seconds = args.seconds or (6.0 if args.quick else 40.0)
    repeats = 1 if args.quick else 4
    arguments = sys.argv[1:] if argv is None else list(argv)
    try:
        python = os.path.relpath(sys.executable, Path.cwd())
    except ValueError:
        python = sys.executable
    command = " ".join(
        [python if not python.startswith("..") else sys.executable, "-m", "benchmarks.latency", *arguments]
    )
    random.seed(2023)
    wall0 = time.perf_counter()

    from bot.training import model_path

    model = model_path(REPO_ROOT / "models")
    if not model.exists():
        print(f"no trained model at {model.relative_to(REPO_ROOT)}: run `make train` first", file=sys.stderr)
        return 1
    import rasa

    base_env = {
        **os.environ,
        "PYTHONHASHSEED": "0",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    ctx: Dict[str, object] = {
        "date": dt.date.today(),
        "cpu": cpu_model(),
        "rasa": rasa.__version__,
        "workers": args.workers,
        "command": command,
        "seconds": seconds,
        "repeats": repeats,
        "model": model.relative_to(REPO_ROOT),
    }
    log(
        f"{command}: {os.cpu_count()} cores, {meminfo_total_gib():.1f} GiB, load average "
        f"{os.getloadavg()[0]:.2f}; model {ctx['model']}; {seconds:g} s per level"
    )
    processes: List[Server] = []
    supervised: Dict[str, SupervisedStack] = {}
    tmp = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    finished = False
    try:
        finished = run_all(args, ctx, base_env, model, seconds, repeats, tmp, processes, supervised, wall0)
    finally:
        stop(processes)
        for stack in supervised.values():
            stack.stop()
        log("servers stopped")
        if finished:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"the servers' logs are kept in {tmp / 'logs'}")
    return 0 if finished else 1


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


def run_all(
    args,
    ctx,
    base_env,
    model,
    seconds,
    repeats,
    tmp: Path,
    processes: List[Server],
    supervised: Dict[str, SupervisedStack],
    wall0: float,
) -> bool:
    logs = tmp / "logs"
    logs.mkdir()
    # -- the stock project: rasa init trains the moodbot model.
    moodbot = tmp / "moodbot"
    moodbot.mkdir()
    log("stock: rasa init --no-prompt (trains the moodbot model) …")
    t = time.perf_counter()
    with open(logs / "rasa-init.log", "w") as out:
        done = subprocess.run(
            [str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(moodbot)],
            cwd=tmp,
            env=base_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=900,
        )
    ctx["init_s"] = time.perf_counter() - t
    if done.returncode != 0 or not list((moodbot / "models").glob("*.tar.gz")):
        raise RuntimeError(f"rasa init failed ({done.returncode}):\n{(logs / 'rasa-init.log').read_text()[-3000:]}")
    log(f"stock: rasa init took {ctx['init_s']:.1f} s")

    # -- our stack.
    from bot.store.seed import seed_store

    store = f"sqlite:///{tmp / 'store.db'}"
    t = time.perf_counter()
    seed_store(store, people=300, firms=20, progress=False)
    log(f"ours: store seeded in {time.perf_counter() - t:.1f} s")
    action_port, rasa_port, stock_port = free_port(), free_port(), free_port()
    endpoints = write_endpoints(tmp / "endpoints.yml", action_port)
    env = {
        **stack_env(**base_env),
        "BOT_TODAY": TODAY,
        "BOT_DEFAULT_REGION": "",
        "DATABASE_URL": store,
        "BOT_TRACKER_URL": f"sqlite:///{tmp / 'tracker.db'}",  # never the developer's var/tracker.db
        "SANIC_WORKERS": str(args.workers),
    }
    log(f"ours: starting the action server and the Rasa server ({args.workers} worker processes) …")
    actions = start("actions", action_server_command(action_port), REPO_ROOT, env, logs, processes)
    ours = start("rasa", rasa_command(model, endpoints, rasa_port), REPO_ROOT, env, logs, processes)
    ours_url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
    wait_for(f"http://127.0.0.1:{action_port}/health", actions.process, actions.log, interval=0.1)
    ctx["action_up_s"] = time.perf_counter() - actions.started
    ctx["ours_cold_s"] = first_reply(ours_url, [actions, ours], "嵊泗的留工补助怎么领？", actions.started)
    log(f"ours: action server up after {ctx['action_up_s']:.1f} s, first answer after {ctx['ours_cold_s']:.1f} s")

    one_worker = None
    if args.workers > 1 and not args.no_one_worker:
        log("ours, 1 worker: starting a second Rasa server on the same action server and databases …")
        one_port = free_port()
        one_worker = start(
            "rasa-1-worker",
            rasa_command(model, endpoints, one_port),
            REPO_ROOT,
            {**env, "SANIC_WORKERS": "1"},
            logs,
            processes,
        )
        one_url = f"http://127.0.0.1:{one_port}/webhooks/rest/webhook"
        ctx["one_worker_cold_s"] = first_reply(
            one_url, [actions, one_worker], "嵊泗的留工补助怎么领？", one_worker.started
        )
        log(f"ours, 1 worker: first answer after {ctx['one_worker_cold_s']:.1f} s")

    log("stock: starting rasa run …")
    stock = start(
        "stock",
        [str(VENV_BIN / "rasa"), "run", "--model", str(moodbot / "models"), "--port", str(stock_port)],
        moodbot,
        base_env,
        logs,
        processes,
    )
    stock_url = f"http://127.0.0.1:{stock_port}/webhooks/rest/webhook"
    ctx["stock_cold_s"] = first_reply(stock_url, [stock], "hello", stock.started)
    log(f"stock: first answer after {ctx['stock_cold_s']:.1f} s")

    if not args.no_supervised:
        for name in (MAKE_RUN, CLUSTER):
            start_supervised(name, tmp, base_env, ctx, supervised)

    warm = [("ours", ours_url, OURS, None), ("stock", stock_url, STOCK, None)]
    if one_worker:
        warm.append((ONE_WORKER, one_url, OURS, None))
    warm += [(name, stack.rest_url, OURS, stack.rest_headers) for name, stack in supervised.items()]
    for name, url, conversations, headers in warm:
        problems = asyncio.run(warm_up(url, conversations, name, headers=headers))
        log(f"{name}: warmed up" + ("; problems: " + "; ".join(problems) if problems else ", every answer as expected"))

    results: List[LevelResult] = []
    stacks = [
        ("ours", ours_url, OURS, [ours.process.pid, actions.process.pid], None),
        ("stock", stock_url, STOCK, [stock.process.pid], None),
    ]
    if one_worker:  # back-to-back only, where the number of processes matters
        stacks.append((ONE_WORKER, one_url, OURS, [one_worker.process.pid, actions.process.pid], None))
    # supervisord and everything below it (HAProxy, Rasa, action servers, Redis; not PostgreSQL, a system service)
    stacks += [
        (name, stack.rest_url, OURS, [stack.process.pid], stack.rest_headers) for name, stack in supervised.items()
    ]
    plan = [(users, think) for users in LEVELS for think in ((0.0,) if users == 1 else (0.0, args.think))]
    for users, think in plan:
        for name, url, conversations, pids, headers in stacks:
            if name == ONE_WORKER and (think or users == 1):
                continue
            log(
                f"{name}: {users} concurrent users, {'back-to-back' if not think else f'~{think:g} s between turns'}, "
                f"for {seconds:g} s (load average {os.getloadavg()[0]:.2f}) …"
            )
            result = asyncio.run(
                run_level(
                    name,
                    url,
                    users,
                    seconds,
                    conversations,
                    pids,
                    tag=f"{name.replace(', ', '-').replace(' ', '')}-{users}-{think:g}",
                    think=think,
                    headers=headers,
                )
            )
            results.append(result)
            log(
                f"{name} @ {users}: {result.messages} messages, p50 {result.p(0.5):.1f} ms, "
                f"p95 {result.p(0.95):.1f} ms, p99 {result.p(0.99):.1f} ms, {result.throughput:.1f} msg/s, "
                f"{result.errors} errors, {result.unexpected} unexpected; server {result.server_cores:.2f} "
                f"cores, other {result.other_cores:.2f} cores"
            )
            for sample in result.error_samples + result.unexpected_samples:
                log(f"    {sample}")
            time.sleep(1)

    log(f"ours: conversation length, {repeats} × {max(LENGTHS)} turns …")
    lengths, length_errors = asyncio.run(conversation_length(ours_url, repeats))
    for length in LENGTHS:
        log(
            f"  {length:>3} turns: p50 {percentile(lengths[length], 0.5):.1f} ms, "
            f"p95 {percentile(lengths[length], 0.95):.1f} ms ({len(lengths[length])} samples)"
        )

    memory = []
    servers = [
        (f"our Rasa server ({args.workers} worker{'s' if args.workers != 1 else ''})", ours),
        ("our action server", actions),
        ("stock Rasa server", stock),
    ]
    if one_worker:
        servers.insert(1, ("our Rasa server, 1 worker", one_worker))
    for label, server in servers:
        kids = descendants(server.process.pid)
        hwm = status_kib(server.process.pid, "VmHWM")
        rss = status_kib(server.process.pid, "VmRSS")
        if kids:
            hwm = (hwm or 0) + sum(status_kib(k, "VmHWM") or 0 for k in kids)
            rss = (rss or 0) + sum(status_kib(k, "VmRSS") or 0 for k in kids)
        memory.append((label, hwm, rss, len(kids)))
        log(f"{label}: VmHWM {(hwm or 0) / 1024:.0f} MiB, VmRSS {(rss or 0) / 1024:.0f} MiB")
    for name, stack in supervised.items():
        kids = descendants(stack.process.pid)
        hwm = sum(status_kib(k, "VmHWM") or 0 for k in kids)
        rss = sum(status_kib(k, "VmRSS") or 0 for k in kids)
        memory.append((f"{name} layout, every supervised process", hwm, rss, len(kids)))
    stop(processes)
    for stack in supervised.values():
        stack.stop()
    ctx["wall"] = time.perf_counter() - wall0
    plot(results, Path(args.plot), args.workers)
    text = report(ctx, results, lengths, length_errors, memory, Path(args.plot).name)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    log(f"wrote {args.out} and {args.plot} ({ctx['wall']:.0f} s)")
    return True


if __name__ == "__main__":
    sys.exit(main())
