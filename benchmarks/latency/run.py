"""`python -m benchmarks.latency`: the options, and one run from the first server started to the report."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

import benchmarks.latency as package
from benchmarks.latency.common import (
    CLUSTER,
    HERE,
    LENGTHS,
    LEVELS,
    MAKE_RUN,
    ONE_WORKER,
    OURS,
    REPO_ROOT,
    STOCK,
    TODAY,
    VENV_BIN,
    log,
    percentile,
)
from benchmarks.latency.load import LevelResult, conversation_length, run_level, warm_up
from benchmarks.latency.plot import plot
from benchmarks.latency.procfs import cpu_model, descendants, meminfo_total_gib, status_kib
from benchmarks.latency.report import report
from benchmarks.latency.stacks import Server, first_reply, start, start_supervised, stop
from harness.servers import (
    SupervisedStack,
    action_server_command,
    free_port,
    rasa_command,
    stack_env,
    wait_for,
    write_endpoints,
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.latency", description=package.__doc__.splitlines()[0])
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
