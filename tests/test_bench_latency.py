"""benchmarks/latency/: the pieces that need no server (the report from made-up results, the options)."""

import pytest

from benchmarks.latency.common import HERE, LENGTHS, percentile
from benchmarks.latency.load import LevelResult
from benchmarks.latency.report import report
from benchmarks.latency.run import main


def level(stack, users, ms, think=0.0, errors=0):
    return LevelResult(stack, users, seconds=10.0, latencies=list(ms), errors=errors, think=think)


def test_percentile():
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.95) == 5.0
    assert percentile([], 0.5) != percentile([], 0.5)  # nan


def test_report_from_results():
    results = [
        level("ours", 1, [50.0] * 10),
        level("stock", 1, [40.0] * 10),
        level("ours", 10, [100.0] * 10),
        level("stock", 10, [90.0] * 10),
        level("ours", 10, [80.0] * 10, think=3.0),
        level("ours", 50, [200.0] * 10, errors=1),
        level("stock", 50, [150.0] * 10),
    ]
    ctx = {
        "date": "2023-01-20",
        "cpu": "test cpu",
        "rasa": "3.6.21",
        "workers": 2,
        "command": "python -m benchmarks.latency --quick",
        "seconds": 6.0,
        "repeats": 1,
        "model": "models/x.tar.gz",
        "wall": 60.0,
        "init_s": 1.0,
        "action_up_s": 2.0,
        "ours_cold_s": 3.0,
        "stock_cold_s": 4.0,
    }
    text = report(ctx, results, {n: [10.0] for n in LENGTHS}, 0, [("our action server", 1024, 1024, 0)], "p.png")
    assert text.startswith("# REST latency benchmark: our stack against stock Rasa\n")
    assert "| p95 ≤ 150 ms at 10 concurrent users (ours, paced (~3 s between turns)) | 80.0 ms | PASS |" in text
    assert "| zero errors at 50 concurrent users (ours, back-to-back) | 1 errors in 11 messages | FAIL |" in text
    assert "| our per-message latency (p50) ≤ 1.5 × stock, 1 user | 50.0 ms vs 40.0 ms = 1.25× | PASS |" in text
    assert "![p50/p95/p99 against concurrency](p.png)" in text


def test_options(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["--help"])
    assert exit.value.code == 0
    out = capsys.readouterr().out
    assert "REST latency of the full stack against a stock Rasa 3.6 server" in out
    for option in ("--quick", "--seconds", "--think", "--workers", "--no-one-worker", "--no-supervised", "--out"):
        assert option in out
    assert (HERE / "latency.md").exists()  # the report is written next to the benchmarks' others
