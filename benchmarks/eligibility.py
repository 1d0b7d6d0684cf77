"""Benchmark: import throughput and eligibility lookup latency at 10k, 100k and 1M people.

    python -m benchmarks.eligibility [--sizes 10000,100000,1000000] [--postgres URL] [--out FILE]

For each database and size: a fresh store, the demo generator's CSV files for that many people
(bot/store/seed.py), `import_directory` timed (rows per second), then `EligibilityService.check`
timed for 500 random people and 100 random firms (p50 / p95 / p99, ms). Writes a Markdown table.
Targets (issue 3): p95 person lookup ≤ 20 ms at 1M people; 1M rows imported in ≤ 5 minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

from sqlalchemy import func, select, text

from bot.eligibility.service import EligibilityService
from bot.store.db import dispose_engines, get_engine, migrate
from bot.store.importer import import_directory
from bot.store.models import Base, Firm, Person
from bot.store.seed import write_demo_csv


def fresh_store(url: str) -> None:
    engine = get_engine(url)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    migrate(url)


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_one(name: str, url: str, people: int, workdir: Path) -> Dict[str, object]:
    data = workdir / f"csv-{people}"
    if not (data / "persons.csv").exists():
        print(f"[{name} {people:,}] writing CSV …", flush=True)
        write_demo_csv(data, people=people, firms=max(100, people // 500))
    fresh_store(url)
    print(f"[{name} {people:,}] importing …", flush=True)
    started = time.perf_counter()
    report = import_directory(data, url, progress=sys.stderr.isatty())
    seconds = time.perf_counter() - started
    rows = sum(f.read for f in report.files)
    engine = get_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    with engine.connect() as connection:
        ids = list(connection.execute(select(Person.id_number).order_by(func.random()).limit(500)).scalars())
        codes = list(connection.execute(select(Firm.credit_code).order_by(func.random()).limit(100)).scalars())
    service = EligibilityService(url)
    for identifier in ids[:20]:  # warm the caches and the connection pool
        service.check(identifier)
    person_ms, firm_ms = [], []
    for identifier in ids:
        t = time.perf_counter()
        assert service.check(identifier) is not None
        person_ms.append((time.perf_counter() - t) * 1000)
    for code in codes:
        t = time.perf_counter()
        assert service.check(code) is not None
        firm_ms.append((time.perf_counter() - t) * 1000)
    result = {
        "db": name,
        "people": people,
        "rows": rows,
        "rejects": len(report.rejects),
        "import_s": seconds,
        "rows_per_s": rows / seconds,
        "p50": statistics.median(person_ms),
        "p95": percentile(person_ms, 0.95),
        "p99": percentile(person_ms, 0.99),
        "firm_p95": percentile(firm_ms, 0.95),
    }
    print(
        f"[{name} {people:,}] {rows:,} rows in {seconds:.1f} s ({rows / seconds:,.0f}/s); "
        f"person p50 {result['p50']:.2f} ms, p95 {result['p95']:.2f} ms; firm p95 {result['firm_p95']:.1f} ms",
        flush=True,
    )
    return result


def table(results: List[Dict[str, object]]) -> str:
    lines = [
        f"Measured {dt.date.today()} on {platform.machine()} ({os.cpu_count()} cores), Python "
        f"{platform.python_version()}, `python -m benchmarks.eligibility`.",
        "",
        "| database | people | CSV rows | rejects | import time | rows/s | lookup p50 | lookup p95 | lookup p99 | firm lookup p95 |",  # noqa: E501  (one table row / one list)
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['db']} | {r['people']:,} | {r['rows']:,} | {r['rejects']} | {r['import_s']:.1f} s | "
            f"{r['rows_per_s']:,.0f} | {r['p50']:.2f} ms | {r['p95']:.2f} ms | {r['p99']:.2f} ms | "
            f"{r['firm_p95']:.1f} ms |"
        )
    lines += [
        "",
        "Person lookups: 500 random people; firm lookups: 100 random firms (a firm's report "
        "also evaluates 留工补助 for every worker of the firm). Targets: p95 person lookup ≤ 20 ms at "
        "1M people; 1M rows imported in ≤ 5 minutes.",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL"))
    parser.add_argument("--out", default=str(Path(__file__).parent / "eligibility.md"))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    random.seed(2023)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        targets = [("SQLite", f"sqlite:///{work / 'bench.db'}")]
        if args.postgres:
            targets.append(("PostgreSQL", args.postgres))
        for name, url in targets:
            for people in sizes:
                results.append(run_one(name, url, people, work))
            dispose_engines()
    Path(args.out).write_text("# Eligibility store benchmark\n\n" + table(results), encoding="utf-8")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
