"""The Markdown report (benchmarks/latency.md)."""

from __future__ import annotations

import os
import platform
from typing import Dict, List, Optional, Tuple

from benchmarks.latency.common import CLUSTER, LENGTHS, LEVELS, MAKE_RUN, ONE_WORKER, SUPERVISED, percentile
from benchmarks.latency.load import LevelResult
from benchmarks.latency.procfs import meminfo_total_gib


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
