"""`python -m tests.fuzz` (make fuzz): send the generated traffic (tests/fuzz/generate.py) to the
live stack, one conversation after another, then look through the replies, the stack's log files
and its tracker database. Prints a table and writes a JSON report; exit 1 when any count is
non-zero, 2 when the stack does not start.

    python -m tests.fuzz [--count 1000] [--seed 1] [--logs DIR] [--base-url URL] [--report PATH]

Without --base-url it starts tests.conversations.stack.live_stack (logs, store and tracker db in
--logs or a temp directory). With --base-url it talks to a running server (sender ids get a
run prefix) and reads logs and tracker db from --logs / --tracker-db when given.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from tests.fuzz.check import Leak, PiiFinder, check_slots, excerpt, read_table, scan_logs, scan_tracker, strings, unsafe
from tests.fuzz.generate import Plan, Request, generate

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SEED = 1
TIMEOUT = 10.0  # seconds for a whole answer: a request still unanswered then is a failure
WARM_UP_TIMEOUT = 120.0
WRONG_TOKEN = {"Authorization": "Bearer not-the-token"}
PATH = "/webhooks/rest/webhook"

# (key, label): the counts that must all be zero, in the table's order
CHECKS = (
    ("http_5xx", "HTTP 5xx responses"),
    ("timeouts", f"timeouts (no whole answer in {TIMEOUT:.0f} s)"),
    ("connection_errors", "connection errors"),
    ("empty_replies", "well-formed messages without a text reply"),
    ("auth_not_refused", "no/wrong token and not 401/403"),
    ("pii_in_replies", "replies with a full phone/ID number"),
    ("unsafe_replies", "replies with <script or control chars"),
    ("pii_in_logs", "full phone/ID numbers in the logs"),
    ("pii_in_tracker", "full phone/ID numbers in the tracker db"),
    ("slots_from_outside", "protected slots set from outside"),
)
EXAMPLES_KEPT = 25
ISSUED_CODE = re.compile(r"查询码[:：]\s*(\d{6})")


@dataclass
class Outcome:
    status: Optional[int] = None
    body: bytes = b""
    error: str = ""  # "timeout" or the connection error
    elapsed: float = 0.0
    texts: List[str] = field(default_factory=list)  # the replies' "text" fields
    strings: List[str] = field(default_factory=list)  # every string of the response


def post(base_url: str, request: Request, prefix: str = "", timeout: float = TIMEOUT) -> Outcome:
    """One request; the whole answer (a stream too) within `timeout` seconds."""
    from harness.servers import REST_HEADERS

    url = urllib.parse.urlsplit(base_url)
    headers = {
        "Content-Type": request.content_type,
        **{"token": REST_HEADERS, "wrong": WRONG_TOKEN}.get(request.auth, {}),
    }
    started = time.monotonic()
    deadline = started + timeout
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    outcome = Outcome()
    try:
        try:
            connection.request("POST", PATH + ("?stream=true" if request.stream else ""), request.body(prefix), headers)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may have answered (413) and closed before reading the whole body
        sock = connection.sock  # the connection lets go of it when the answer says "close"
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        response = connection.getresponse()
        chunks = []
        while True:
            if time.monotonic() >= deadline:
                raise socket.timeout()
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = response.read1(65536)
            if not chunk:
                break
            chunks.append(chunk)
        outcome.status, outcome.body = response.status, b"".join(chunks)
    except (socket.timeout, TimeoutError):
        outcome.error = "timeout"
    except (OSError, http.client.HTTPException, AttributeError) as exc:  # AttributeError: no socket left
        outcome.error = f"{type(exc).__name__}: {exc}"[:200]
    finally:
        connection.close()
    outcome.elapsed = time.monotonic() - started
    _decode(outcome, request.stream)
    return outcome


def _decode(outcome: Outcome, stream: bool) -> None:
    text = outcome.body.decode("utf-8", errors="replace")
    try:
        parts = [json.loads(line) for line in text.splitlines() if line.strip()] if stream else [json.loads(text)]
    except ValueError:
        outcome.strings = [text] if text else []
        return
    messages = [m for part in parts for m in (part if isinstance(part, list) else [part])]
    outcome.texts = [m["text"] for m in messages if isinstance(m, dict) and isinstance(m.get("text"), str)]
    outcome.strings = list(strings(parts))


# ---- the run --------------------------------------------------------------------------------------


@dataclass
class Report:
    seed: int
    count: int
    base_url: str = ""
    commit: str = ""
    counts: Dict[str, int] = field(default_factory=lambda: {key: 0 for key, _ in CHECKS})
    examples: Dict[str, List[Dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    info: Dict[str, Any] = field(default_factory=dict)
    elapsed: float = 0.0
    codes: List[str] = field(default_factory=list)  # the 查询码 the receipts handed out

    def add(self, check: str, example: Dict[str, Any]) -> None:
        self.counts[check] += 1
        if len(self.examples[check]) < EXAMPLES_KEPT:
            self.examples[check].append(example)

    @property
    def failing(self) -> Dict[str, int]:
        return {key: n for key, n in self.counts.items() if n}

    def as_dict(self) -> Dict[str, Any]:
        return {
            "seed": self.seed,
            "count": self.count,
            "base_url": self.base_url,
            "commit": self.commit,
            "elapsed_s": round(self.elapsed, 1),
            "counts": self.counts,
            "info": self.info,
            "examples": dict(self.examples),
        }

    def table(self, examples: int = 3) -> str:
        width = max(len(label) for _, label in CHECKS)
        lines = [
            f"fuzz: {self.count} requests, seed {self.seed}, commit {self.commit or '?'}, "
            f"{self.elapsed:.0f} s" + (f" ({self.info['latency']})" if "latency" in self.info else ""),
            f"  {'check':<{width}}  count",
        ]
        lines += [f"  {label:<{width}}  {self.counts[key]:>5}" for key, label in CHECKS]
        for key, label in CHECKS:
            for example in self.examples.get(key, [])[:examples]:
                lines.append(f"  - {key}: " + json.dumps(example, ensure_ascii=False)[:400])
        lines.append(
            "result: "
            + ("all zero" if not self.failing else "FAILED: " + ", ".join(f"{k} {n}" for k, n in self.failing.items()))
        )
        return "\n".join(lines)


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return head + ("+changes" if dirty else "")


def _request_example(request: Request, outcome: Outcome, **extra: Any) -> Dict[str, Any]:
    reply = "\n".join(outcome.texts) if outcome.texts else "\n".join(outcome.strings)
    message = request.message if isinstance(request.message, str) else request.body()[:120]
    return {
        "sender": request.sender,
        "turn": request.turn,
        "category": request.category,
        **({"spelling": request.spelling} if request.spelling else {}),
        "message": repr(message)[:200],
        "status": outcome.status,
        "error": outcome.error,
        "reply": reply[:300],
        **extra,
    }


def judge(request: Request, outcome: Outcome, finder: PiiFinder, report: Report) -> None:
    """Add what is wrong with one answer to `report`."""
    if outcome.error == "timeout":
        report.add("timeouts", _request_example(request, outcome, elapsed=round(outcome.elapsed, 1)))
    elif outcome.error:
        report.add("connection_errors", _request_example(request, outcome))
    elif outcome.status >= 500:
        report.add("http_5xx", _request_example(request, outcome))
    if request.auth != "token":
        if outcome.status not in (401, 403) and not outcome.error:
            report.add("auth_not_refused", _request_example(request, outcome))
    elif request.well_formed and not outcome.error and outcome.status < 500:
        if outcome.status != 200 or not any(text.strip() for text in outcome.texts):
            report.add("empty_replies", _request_example(request, outcome))
    for text in outcome.strings:
        for found in finder.find(text):
            report.add(
                "pii_in_replies",
                _request_example(
                    request, outcome, value=found.value, form=found.form, reply=excerpt(text, found.value)
                ),
            )
        problem = unsafe(text)
        if problem:
            report.add("unsafe_replies", _request_example(request, outcome, found=problem))


def send_all(
    plan: Plan,
    base_url: str,
    report: Report,
    prefix: str = "",
    timeout: float = TIMEOUT,
    progress: Optional[Callable[[str], None]] = print,
) -> None:
    finder = PiiFinder(plan.pii)
    statuses: Counter = Counter()
    latencies: List[float] = []
    malformed_accepted = 0
    answers: Dict[str, set] = {}  # malformed kind → the statuses it got
    started = time.monotonic()
    for number, request in enumerate(plan.requests, 1):
        outcome = post(base_url, request, prefix, timeout)
        judge(request, outcome, finder, report)
        report.codes += [code for text in outcome.texts for code in ISSUED_CODE.findall(text)]
        statuses[outcome.error.split(":")[0] or outcome.status] += 1
        if request.well_formed and not outcome.error:
            latencies.append(outcome.elapsed)
        if request.category.startswith("malformed"):
            answers.setdefault(request.category, set()).add(str(outcome.status or outcome.error.split(":")[0]))
            malformed_accepted += bool(outcome.status and outcome.status < 300)
        if progress and (number % 100 == 0 or number == len(plan.requests)):
            failing = ", ".join(f"{k} {n}" for k, n in report.failing.items()) or "no failures"
            progress(f"fuzz: {number}/{len(plan.requests)} requests, {time.monotonic() - started:.0f} s: {failing}")
    latencies.sort()
    report.info.update(
        {
            "requests": len(plan.requests),
            "conversations": len({r.conversation for r in plan.requests}),
            "well_formed": sum(r.well_formed for r in plan.requests),
            "malformed": sum(r.category.startswith("malformed") for r in plan.requests),
            "malformed_accepted_2xx": malformed_accepted,
            "malformed_answers": {kind: "/".join(sorted(got)) for kind, got in sorted(answers.items())},
            "without_token": sum(r.auth != "token" for r in plan.requests),
            "pii_values": len(plan.pii),
            "statuses": {str(k): n for k, n in sorted(statuses.items(), key=str)},
            "send_s": round(time.monotonic() - started, 1),
        }
    )
    if latencies:
        report.info["latency"] = (
            f"well-formed p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {latencies[int(0.95 * (len(latencies) - 1))] * 1000:.0f} ms, "
            f"max {latencies[-1]:.1f} s"
        )


def inspect_afterwards(
    plan: Plan, report: Report, logs: Optional[Path], tracker_db: Optional[Path], prefix: str = ""
) -> None:
    """The logs and the tracker database, once the traffic is over."""
    finder = PiiFinder(plan.pii)
    spelled = plan.spellings_of()

    def add_leak(check: str, leak: Leak) -> None:
        report.add(check, {**leak.as_dict(), "sent_as": spelled.get(leak.value, [])})

    if logs is not None:
        for leak in scan_logs(logs, finder):
            add_leak("pii_in_logs", leak)
    if tracker_db is not None and tracker_db.exists():
        for leak in scan_tracker(tracker_db, finder):
            add_leak("pii_in_tracker", leak)
        injections: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
        for request in plan.requests:
            if request.injected and request.well_formed:
                injections[prefix + request.sender].append(request.injected)
        for found in check_slots(tracker_db, injections):
            report.add("slots_from_outside", found.as_dict())
    else:
        report.info["tracker_db"] = "not read (none given)"
    _find_codes(report, logs, tracker_db)
    leaked = {example["value"] for key in ("pii_in_logs", "pii_in_tracker") for example in report.examples[key]}
    by_spelling: Counter = Counter(s for value in leaked for s in spelled.get(value, []))
    if by_spelling:
        report.info["leaked_spellings (from the examples kept)"] = dict(by_spelling.most_common())


def _find_codes(report: Report, logs: Optional[Path], tracker_db: Optional[Path]) -> None:
    """For the record (not a failing check): where the 查询码 handed out in receipts are kept as written."""
    report.info["codes_issued"] = len(report.codes)
    if not report.codes:
        return
    pattern = re.compile(r"(?<!\d)(?:" + "|".join(sorted(set(report.codes))) + r")(?!\d)")
    places: Counter = Counter()
    for path in sorted(Path(logs).glob("*.log")) if logs else []:
        places[path.name] += len(pattern.findall(path.read_text(encoding="utf-8", errors="replace")))
    if tracker_db is not None and tracker_db.exists():
        for row in read_table(tracker_db, "SELECT type_name, data FROM events"):
            places[f"tracker events ({row['type_name']})"] += len(pattern.findall(row["data"] or ""))
    report.info["codes_found_afterwards"] = {place: n for place, n in places.items() if n}


def fuzz(
    count: int = 1000,
    seed: int = DEFAULT_SEED,
    logs: Optional[Path] = None,
    base_url: Optional[str] = None,
    tracker_db: Optional[Path] = None,
    model: Optional[Path] = None,
    timeout: float = TIMEOUT,
    progress: Optional[Callable[[str], None]] = print,
) -> Report:
    """Generate, send, inspect. Starts the live stack unless `base_url` is given."""
    plan = generate(count, seed)
    report = Report(seed, len(plan.requests), commit=_commit())
    started = time.monotonic()
    say = progress or (lambda line: None)
    if base_url:
        prefix = f"r{int(time.time()) % 1_000_000}-"  # a running server may have seen these senders before
        report.base_url = base_url
        _warm_up(base_url, prefix)
        send_all(plan, base_url, report, prefix, timeout, progress)
        logs = Path(logs) if logs else None
        tracker_db = Path(tracker_db) if tracker_db else (logs / "tracker.db" if logs else None)
    else:
        from tests.conversations.stack import live_stack

        prefix = ""
        logs = Path(logs).resolve() if logs else Path(tempfile.mkdtemp(prefix="fuzz-"))
        try:
            with live_stack(model=model, logs=logs) as stack:
                report.info["stack_start_s"] = round(time.monotonic() - started, 1)
                say(f"stack up: {stack.base_url} (model {stack.model.name}; logs {stack.logs})")
                report.base_url = stack.base_url
                _warm_up(stack.base_url, prefix)
                send_all(plan, stack.base_url, report, prefix, timeout, progress)
        finally:
            left = _kill_leftovers(logs)
            if left:
                report.info["stack processes left running after stop (killed)"] = left
        tracker_db = Path(tracker_db) if tracker_db else logs / "tracker.db"
        report.info["logs"] = str(logs)
    inspected = time.monotonic()
    inspect_afterwards(plan, report, logs, tracker_db, prefix)
    report.info["inspect_s"] = round(time.monotonic() - inspected, 1)
    report.elapsed = time.monotonic() - started
    return report


def _kill_leftovers(logs: Path) -> int:
    """Kill what the stack left running: processes whose command line names this run's endpoints
    file (Sanic workers stopped while still loading the model ignore SIGTERM)."""
    marker = str(logs / "endpoints.yml").encode()
    left = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker in cmdline:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(entry.name), signal.SIGKILL)
                left += 1
    return left


def _warm_up(base_url: str, prefix: str) -> None:
    """One ordinary question first (the model's first answer is slow); not counted."""
    request = Request(-1, 0, "message:warm-up", {"sender": "fuzz-warm-up", "message": "你好"})
    outcome = post(base_url, request, prefix, WARM_UP_TIMEOUT)
    if outcome.error or outcome.status != 200:
        raise RuntimeError(f"the stack does not answer: {outcome.status or outcome.error} {outcome.body[:300]!r}")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="requests to send (default 1000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"generator seed (default {DEFAULT_SEED})")
    parser.add_argument(
        "--logs", type=Path, help="the stack's directory (logs, store, tracker.db); default: a temp dir"
    )
    parser.add_argument("--base-url", help="a running Rasa server instead of a new stack")
    parser.add_argument("--tracker-db", type=Path, help="its SQLite tracker db (default: LOGS/tracker.db)")
    parser.add_argument("--model", type=Path, help="the model to serve (default: the one make train built)")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help=f"seconds per request (default {TIMEOUT:.0f})")
    parser.add_argument(
        "--report",
        type=Path,
        default=REPO_ROOT / "reports" / "fuzz.json",
        help="the JSON report (default reports/fuzz.json)",
    )
    args = parser.parse_args(argv)
    try:
        report = fuzz(
            args.count,
            args.seed,
            args.logs,
            args.base_url,
            args.tracker_db,
            args.model,
            args.timeout,
            progress=lambda line: print(line, flush=True),
        )
    except Exception as exc:  # the stack did not start or does not answer: no report to give
        print(f"the stack failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    print(report.table())
    print(f"report: {args.report}")
    return 1 if report.failing else 0
