"""Fault injection against the supervised stack, under a paced load (issue 19).

    python -m tests.faults [--mode cluster] [--mode default] [--users 10] [--out reports/faults.json]

Starts each layout as `make run` / `make run-cluster` do (scripts/run.sh under supervisord,
HAProxy in front of two Rasa processes), on free ports, with its own var/ directory, store and
tracker database (never the developer's; the cluster's database is `wengang_faults` on the local
PostgreSQL, its Redis a supervised one on a free port). Then `--users` virtual users talk to it,
each pausing about a second between messages: policy questions, and every third conversation a
wage-arrears complaint filed to the end. In cluster mode every other user talks through the WeChat
channel as WeChat does (signed XML, a MsgId, the same MsgId again when no answer came within 5 s).
A user whose message fails (not 200, no text, the 12333 apology, no answer in time) sends it again
after the pause, as a person would. Meanwhile:

cluster mode:  kill -9 one Rasa process; kill -9 one action server; restart Redis.
default mode:  kill -9 the action server; kill -9 one Rasa process.

For each fault: requests in its window, errors (of them: requests in flight at the kill), seconds
until every user was answered again, seconds until supervisord had the killed process serving
again. At the end: tickets filed against the receipts the users got (each complaint conversation
that got a receipt has exactly one ticket, no ticket without a receipt), and Rasa turns beyond one
per WeChat MsgId (a retry answered twice).

Targets (exit status 1 when one is missed): no lost or duplicate ticket, no WeChat retry answered
twice; cluster: errors only for requests in flight at the fault, every user answered again within
5 s; default: every user answered again within 30 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

import aiohttp
import sqlalchemy as sa

from harness.servers import REST_HEADERS, WECHAT_ENV, SupervisedStack

REPO_ROOT = Path(__file__).resolve().parents[2]
SYSTEM_ERROR = "系统暂时出了点问题"
TICKET = re.compile(r"\b(?:QX|HD)-\d{8}-\d{4}\b")
POLICY = (
    (("嵊泗的留工补助怎么领？", "500元"), ("消费券现在还能用吗", "消费券"), ("那江苏呢", "苏人社函")),
    (("外卖小哥过年留在嵊泗有补贴吗", "500元"), ("一个人给多少", None)),
    (("包车回来有补贴吗", None), ("车费一共6万", None)),
)
COMPLAINT = (
    ("我叫王大力，电话13912345678，嵊泗某水产公司欠我三个月工资一共一万二", "工地、项目或地点"),
    ("在船上干活", "多少人"),
    ("就我1个", "请核对"),
    ("确认提交", "工单号"),
)
REQUEST_TIMEOUT = 30
TRIES = 20  # a person sends a failed message again, at most this often


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def seconds_until_up(up: Callable[[], bool], since: float, timeout: float = 300) -> Optional[float]:
    """Seconds from `since` (monotonic) until `up()`, polled every 0.2 s."""
    time.sleep(0.3)  # not the dying process's last answer
    while time.monotonic() - since < timeout:
        if up():
            return time.monotonic() - since
        time.sleep(0.2)
    return None


# ---- the load ----------------------------------------------------------------------------------


@dataclass
class Request:
    user: int
    sender: str
    sent: float
    done: float
    ok: bool
    error: str = ""


@dataclass
class Load:
    base_url: str
    users: int
    wechat: bool = False  # every other user talks through the WeChat channel, with WeChat's retries
    pause: float = 1.0
    requests: List[Request] = field(default_factory=list)
    receipts: Dict[str, Set[str]] = field(default_factory=dict)  # complaint conversation → ticket numbers seen
    wechat_messages: Dict[str, Set[str]] = field(default_factory=dict)  # openid → MsgIds sent
    wechat_retries: int = 0
    wechat_sent: int = 0
    run_id: str = field(default_factory=lambda: f"{random.randrange(16**8):08x}")
    wechat_copies_answered_differently: int = 0

    async def send(self, session: aiohttp.ClientSession, user: int, sender: str, message: str) -> Tuple[Request, str]:
        if self.wechat and user % 2:
            return await self.send_wechat(session, user, sender, message)
        sent = time.monotonic()
        text, error = "", ""
        try:
            async with session.post(
                f"{self.base_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": message},
                headers=REST_HEADERS,
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
            ) as response:
                if response.status != 200:
                    error = f"HTTP {response.status}"
                else:
                    text = "\n".join(m.get("text", "") for m in await response.json())
                    if not text:
                        error = "no text"
                    elif SYSTEM_ERROR in text:
                        error = "apology"
        except asyncio.TimeoutError:
            error = "timeout"
        except aiohttp.ClientError as exc:
            error = type(exc).__name__
        request = Request(user, sender, sent, time.monotonic(), not error, error)
        self.requests.append(request)
        return request, text

    async def send_wechat(
        self, session: aiohttp.ClientSession, user: int, openid: str, message: str
    ) -> Tuple[Request, str]:
        """One message as WeChat delivers it: signed, with a MsgId, sent again with the same
        MsgId when no answer came within 5 s (WeChat tries 3 times). An empty `success` means the
        answer goes out through the customer-service API instead (counted as an error here)."""
        msg_id = str(random.randrange(10**17, 10**18))
        self.wechat_messages.setdefault(openid, set()).add(msg_id)
        self.wechat_sent += 1
        # Every third message is also delivered twice at once, as WeChat does when its first
        # connection broke: the copy must get the same answer and make no second turn.
        copy = None
        if self.wechat_sent % 3 == 0:
            copy = asyncio.create_task(self._delayed_copy(session, openid, message, msg_id))
        sent = time.monotonic()
        text, error = "", ""
        for attempt in range(3):
            if attempt:
                self.wechat_retries += 1
            status, text, error = await self._post_wechat(session, openid, message, msg_id)
            if status == 200:
                break
        request = Request(user, openid, sent, time.monotonic(), not error, error)
        self.requests.append(request)
        if copy is not None:
            copy_status, copy_text, _ = await copy
            if status == 200 and copy_status == 200 and text and copy_text and copy_text != text:
                self.wechat_copies_answered_differently += 1
        return request, text

    async def _delayed_copy(self, session, openid: str, message: str, msg_id: str) -> Tuple[int, str, str]:
        await asyncio.sleep(0.2)
        self.wechat_retries += 1
        return await self._post_wechat(session, openid, message, msg_id)

    async def _post_wechat(self, session, openid: str, message: str, msg_id: str) -> Tuple[int, str, str]:
        """(HTTP status or 0, the reply's text, error) of one signed delivery."""
        from bot.channels.wechat_protocol import sha1_signature

        timestamp, nonce = str(int(time.time())), str(random.randrange(10**9))
        query = {
            "signature": sha1_signature(WECHAT_ENV["WECHAT_TOKEN"], timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": openid,
        }
        body = (
            f"<xml><ToUserName><![CDATA[gh_faults]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
            f"</FromUserName><CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{message}]]></Content><MsgId>{msg_id}</MsgId></xml>"
        )
        try:
            async with session.post(
                f"{self.base_url}/webhooks/wechat/webhook",
                params=query,
                data=body.encode(),
                timeout=aiohttp.ClientTimeout(total=5),
            ) as response:
                reply = await response.text()
                if response.status != 200:
                    return response.status, "", f"HTTP {response.status}"
                if reply.strip() == "success":
                    return 200, "", "sent later (customer-service API)"
                text = "\n".join(re.findall(r"<Content><!\[CDATA\[(.*?)\]\]></Content>", reply, re.S))
                return 200, text, "apology" if SYSTEM_ERROR in text else ("" if text else "no text")
        except (asyncio.TimeoutError, aiohttp.ClientError) as exc:
            return 0, "", "timeout" if isinstance(exc, asyncio.TimeoutError) else type(exc).__name__

    async def user(self, session: aiohttp.ClientSession, user: int, stop: asyncio.Event) -> None:
        rng = random.Random(user)
        await asyncio.sleep(rng.uniform(0, self.pause))
        number = 0
        while not stop.is_set():
            number += 1
            complaint = number % 3 == 1
            conversation = COMPLAINT if complaint else POLICY[(user + number) % len(POLICY)]
            # A new sender id per conversation and per run (the cluster's database outlives a run).
            sender = f"{'wx' if self.wechat and user % 2 else 'rest'}-{self.run_id}-{user}-{number}"
            for message, _expected in conversation:
                for _ in range(TRIES):
                    request, text = await self.send(session, user, sender, message)
                    if complaint:
                        self.receipts.setdefault(sender, set()).update(TICKET.findall(text))
                    await asyncio.sleep(self.pause * rng.uniform(0.7, 1.3))
                    if request.ok:
                        break

    async def run(self, script) -> None:
        stop = asyncio.Event()
        async with aiohttp.ClientSession() as session:
            users = [asyncio.create_task(self.user(session, i, stop)) for i in range(self.users)]
            try:
                await script()
            finally:
                stop.set()
                await asyncio.gather(*users)


# ---- measuring ---------------------------------------------------------------------------------


@dataclass
class FaultResult:
    fault: str
    requests: int
    errors: int
    errors_in_flight_at_kill: int
    seconds_until_every_user_answered: Optional[float]
    seconds_until_process_back: Optional[float]
    error_kinds: Dict[str, int]


def measure(fault: str, load: Load, kill_at: float, until: float, process_back: Optional[float]) -> FaultResult:
    window = [r for r in load.requests if kill_at <= r.done and r.sent < until]
    errors = [r for r in window if not r.ok]
    kinds: Dict[str, int] = {}
    for r in errors:
        kinds[r.error] = kinds.get(r.error, 0) + 1
    # For each user: the end of the first successful request sent after its last failed one in
    # the window (or after the kill, if none failed); the slowest user is the time back.
    back = []
    for user in range(load.users):
        mine = sorted((r for r in window if r.user == user), key=lambda r: r.sent)
        last_error = max((r.sent for r in mine if not r.ok), default=kill_at)
        answered = [r.done for r in mine if r.ok and r.sent >= last_error]
        back.append(min(answered) - kill_at if answered else None)
    every = None if any(b is None for b in back) else round(max(back), 2)
    return FaultResult(
        fault,
        len(window),
        len(errors),
        sum(1 for r in errors if r.sent < kill_at),
        every,
        None if process_back is None else round(process_back, 2),
        kinds,
    )


def ticket_check(load: Load, store_url: str, before: Set[str]) -> Dict[str, int]:
    engine = sa.create_engine(store_url)
    with engine.connect() as connection:
        stored = set(connection.execute(sa.text("select number from tickets")).scalars()) - before
    engine.dispose()
    received = [numbers for numbers in load.receipts.values() if numbers]
    seen = set().union(*received) if received else set()
    return {
        "complaint_conversations": len(load.receipts),
        "receipts": len(received),
        "tickets_expected": len(received),
        "tickets_filed": len(stored),
        "conversations_with_two_numbers": sum(1 for numbers in received if len(numbers) > 1),
        "receipts_without_ticket": len(seen - stored),
        "tickets_without_receipt": len(stored - seen),
    }


def duplicate_turns(load: Load, tracker_url: str) -> Dict[str, int]:
    """Turns Rasa took for the WeChat users' messages beyond one per MsgId: a retry that reached
    Rasa again. (The text of a retried message is the same; each MsgId must make one turn.)"""
    if not load.wechat_messages:
        return {"wechat_messages": 0, "wechat_retries": 0, "duplicate_turns": 0}
    engine = sa.create_engine(tracker_url)
    with engine.connect() as connection:
        counts = dict(
            connection.execute(
                sa.text(
                    "select sender_id, count(*) from events where type_name = 'user' and sender_id like 'wx-%' "
                    "group by sender_id"
                )
            ).all()
        )
    engine.dispose()
    sent = {openid: len(ids) for openid, ids in load.wechat_messages.items()}
    return {
        "wechat_messages": sum(sent.values()),
        "wechat_retries": load.wechat_retries,
        "duplicate_turns": sum(max(0, counts.get(openid, 0) - n) for openid, n in sent.items()),
        "retries_answered_differently": load.wechat_copies_answered_differently,
    }


def stored_tickets(store_url: str) -> Set[str]:
    engine = sa.create_engine(store_url)
    with engine.connect() as connection:
        numbers = set(connection.execute(sa.text("select number from tickets")).scalars())
    engine.dispose()
    return numbers


# ---- the scenarios -----------------------------------------------------------------------------

FAULTS = {
    "cluster": (
        ("kill -9 one Rasa process", "rasa:rasa-1", "kill9"),
        ("kill -9 one action server", "actions-1", "kill9"),
        ("restart Redis", "redis", "restart"),
    ),
    "default": (
        ("kill -9 the action server", "actions-1", "kill9"),
        ("kill -9 one Rasa process", "rasa:rasa-1", "kill9"),
    ),
}
# Every user answered again within this many seconds of the fault.
TARGET_SECONDS = {"cluster": 5.0, "default": 30.0}


def run_mode(mode: str, users: int, warmup: float, window: float, work: Path) -> dict:
    stack = SupervisedStack(mode, work, database="wengang_faults")
    log(f"starting the {mode} stack (scripts/run.sh under supervisord) in {work}")
    try:
        startup = stack.start()
    except BaseException:
        stack.stop()
        raise
    log(f"up in {startup:.0f} s; {users} users for {warmup:.0f} s before the first fault")
    before = stored_tickets(stack.store_url)
    load = Load(stack.base_url, users, wechat=mode == "cluster")
    results: List[FaultResult] = []

    async def script():
        await asyncio.sleep(warmup)
        for name, program, action in FAULTS[mode]:
            kill_at, done = await asyncio.to_thread(getattr(stack, action), program)
            log(f"{name}: {done}")
            back = await asyncio.to_thread(seconds_until_up, stack.up(program), kill_at)
            log(f"{name}: {program} serving again after {back} s")
            rest = window - (time.monotonic() - kill_at)
            if rest > 0:
                await asyncio.sleep(rest)
            # Rasa takes about a minute to load its model again: the next fault waits for it.
            await asyncio.to_thread(seconds_until_up, stack.up(program), kill_at)
            results.append(measure(name, load, kill_at, time.monotonic(), back))
            log(f"{name}: {asdict(results[-1])}")

    try:
        asyncio.run(load.run(script))
        time.sleep(2)
        tickets = ticket_check(load, stack.store_url, before)
        duplicates = duplicate_turns(load, stack.tracker_url)
    finally:
        stop_seconds = stack.stop()
    log(f"tickets: {tickets}; WeChat: {duplicates}; stopped in {stop_seconds:.1f} s")
    failures = []
    for result in results:
        if (
            result.seconds_until_every_user_answered is None
            or result.seconds_until_every_user_answered > TARGET_SECONDS[mode]
        ):
            failures.append(
                f"{result.fault}: users answered again after {result.seconds_until_every_user_answered} s "
                f"(target {TARGET_SECONDS[mode]} s)"
            )
        if mode == "cluster" and result.errors > result.errors_in_flight_at_kill:
            failures.append(
                f"{result.fault}: {result.errors - result.errors_in_flight_at_kill} errors for requests "
                "sent after the fault (target: only those in flight)"
            )
    if (
        tickets["tickets_filed"] != tickets["tickets_expected"]
        or tickets["conversations_with_two_numbers"]
        or tickets["receipts_without_ticket"]
        or tickets["tickets_without_receipt"]
    ):
        failures.append(f"tickets: {tickets}")
    if not tickets["receipts"]:
        failures.append("no complaint was filed during the run")
    if duplicates["duplicate_turns"] or duplicates.get("retries_answered_differently"):
        failures.append(f"WeChat retries answered twice: {duplicates}")
    return {
        "mode": mode,
        "users": users,
        "startup_seconds": round(startup, 1),
        "requests": len(load.requests),
        "errors": sum(1 for r in load.requests if not r.ok),
        "faults": [asdict(r) for r in results],
        "tickets": tickets,
        "wechat": duplicates,
        "stop_seconds": round(stop_seconds, 1),
        "failures": failures,
    }


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.faults", description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=sorted(FAULTS), action="append", help="default: cluster, then default")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--warmup", type=float, default=20)
    parser.add_argument("--window", type=float, default=40, help="seconds of load after each fault")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "reports/faults.json")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the stack on the way out
    reports = []
    for mode in args.mode or ["cluster", "default"]:
        work = Path(tempfile.mkdtemp(prefix=f"faults-{mode}-"))
        reports.append(run_mode(mode, args.users, args.warmup, args.window, work))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(reports, ensure_ascii=False, indent=2))
    print(json.dumps(reports, ensure_ascii=False, indent=2))
    failures = [f for report in reports for f in report["failures"]]
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
