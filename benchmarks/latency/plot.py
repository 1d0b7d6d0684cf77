"""The PNG plot of the percentiles against concurrency."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import List

from benchmarks.latency.common import CLUSTER, LEVELS, MAKE_RUN, ONE_WORKER
from benchmarks.latency.load import LevelResult


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
