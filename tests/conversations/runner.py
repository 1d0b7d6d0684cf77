"""The multi-turn conversation suite: load tests/conversations/*.yml, talk to a running bot over
REST, check every turn.

    from tests.conversations.runner import load_suite, run_suite
    conversations = load_suite()                      # SuiteError lists every format problem
    results = run_suite(conversations, "http://127.0.0.1:5005")

`run_suite` does not set the bot's date: `run_by_date` (with a `tests.conversations.stack`
stack) runs each `today` group against an action server started with that BOT_TODAY.

Every turn of a conversation is sent, even after one fails, so turn-level numbers mean
something; a conversation passes when all its turns pass. An HTTP error, a timeout or an empty
reply fails the turn (and is recorded as its failed check).

Format (tests/conversations/README.md): each file is a YAML list of
{id, who, today, notes, turns: [{user, expect: {all, any, none}}]}; `load_suite` rejects
anything else with one error listing every problem.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence

import yaml

SUITE_DIR = Path(__file__).resolve().parent
KNOWN_GAPS_FILE = SUITE_DIR / "known_gaps.txt"
WHO = ("worker", "courier", "employer", "hr_agency", "staff")
DATES = ("2023-01-10", "2023-01-20", "2023-02-10")
CHECKS = ("all", "any", "none")
CONVERSATION_KEYS = {"id", "who", "today", "notes", "turns"}
REQUIRED_KEYS = ("id", "who", "today", "turns")
TURN_KEYS = {"user", "expect"}
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REQUEST_TIMEOUT = 30.0
WORKERS = 4


class SuiteError(ValueError):
    """The suite's files break the format; the message lists every problem found."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__(
            f"{len(self.problems)} problem(s) in tests/conversations/*.yml:\n"
            + "\n".join(f"  - {p}" for p in self.problems)
        )


# ---- the suite ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    user: str
    all: tuple = ()
    any: tuple = ()
    none: tuple = ()


@dataclass(frozen=True)
class Conversation:
    id: str
    who: str
    today: str
    turns: tuple
    notes: str = ""
    file: str = ""  # the file's name, e.g. "forms.yml"


def _strings(value, where: str, problems: List[str]) -> tuple:
    if not isinstance(value, list) or not value:
        problems.append(f'{where}: must be a non-empty list of strings, e.g. ["500元"] (got {value!r})')
        return ()
    out = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            problems.append(f'{where}: {item!r} is not a non-empty string (quote numbers: "4000")')
        else:
            out.append(item)
    return tuple(out)


def _turn(raw, where: str, problems: List[str]) -> Optional[Turn]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: a turn must be a mapping with `user` and `expect` (got {raw!r})")
        return None
    unknown = set(raw) - TURN_KEYS
    if unknown:
        problems.append(f"{where}: unknown key(s) {sorted(unknown)} (a turn has only `user` and `expect`)")
    user = raw.get("user")
    if not isinstance(user, str) or not user.strip():
        problems.append(f"{where}: `user` must be a non-empty string (got {user!r})")
    expect = raw.get("expect")
    if not isinstance(expect, dict):
        problems.append(f"{where}: `expect` must be a mapping with at least one of all/any/none (got {expect!r})")
        return None
    unknown = set(expect) - set(CHECKS)
    if unknown:
        problems.append(f"{where}.expect: unknown key(s) {sorted(unknown)} (only all, any, none)")
    if not any(k in expect for k in CHECKS):
        problems.append(f"{where}.expect: needs at least one of all/any/none")
    checks = {k: _strings(expect[k], f"{where}.expect.{k}", problems) for k in CHECKS if k in expect}
    clash = set(checks.get("none", ())) & (set(checks.get("all", ())) | set(checks.get("any", ())))
    if clash:
        problems.append(f"{where}.expect: {sorted(clash)} both expected and forbidden")
    if not isinstance(user, str):
        return None
    return Turn(user=user, **checks)


def _conversation(raw, file: str, index: int, problems: List[str]) -> Optional[Conversation]:
    label = f"{file}[{index}]"
    if not isinstance(raw, dict):
        problems.append(f"{label}: a conversation must be a mapping (got {type(raw).__name__})")
        return None
    cid = raw.get("id")
    if isinstance(cid, str):
        label = f"{file}[{index}] id={cid}"
    before = len(problems)
    unknown = set(raw) - CONVERSATION_KEYS
    if unknown:
        problems.append(f"{label}: unknown key(s) {sorted(unknown)} (allowed: {sorted(CONVERSATION_KEYS)})")
    for key in REQUIRED_KEYS:
        if key not in raw:
            problems.append(f"{label}: missing `{key}`")
    if "id" in raw and (not isinstance(cid, str) or not ID_PATTERN.match(cid)):
        problems.append(f"{label}: `id` must be kebab-case ASCII like courier-dialect-three-followups (got {cid!r})")
    who = raw.get("who")
    if "who" in raw and who not in WHO:
        problems.append(f"{label}: unknown `who` {who!r} (one of {', '.join(WHO)})")
    today = raw.get("today")
    if isinstance(today, dt.date):  # YAML reads 2023-01-20 as a date
        today = today.isoformat()
    if "today" in raw and today not in DATES:
        problems.append(f"{label}: `today` must be one of {', '.join(DATES)} (got {str(today)!r})")
    notes = raw.get("notes", "")
    if not isinstance(notes, str) or "\n" in notes.strip():
        problems.append(f"{label}: `notes` must be one line of text")
    turns_raw = raw.get("turns")
    turns = []
    if "turns" in raw:
        if not isinstance(turns_raw, list) or not turns_raw:
            problems.append(f"{label}: `turns` must be a non-empty list")
        else:
            for number, turn_raw in enumerate(turns_raw, 1):
                turn = _turn(turn_raw, f"{label} turn {number}", problems)
                if turn is not None:
                    turns.append(turn)
    if len(problems) > before:
        return None
    return Conversation(id=cid, who=who, today=today, turns=tuple(turns), notes=notes.strip(), file=file)


def load_file(path: Path, problems: List[str]) -> List[Conversation]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        problems.append(f"{path.name}: not valid YAML: {exc}")
        return []
    if data is None:
        return []  # an empty file (a writer has not started yet)
    if not isinstance(data, list):
        problems.append(f"{path.name}: must be a YAML list of conversations (got {type(data).__name__})")
        return []
    found = [_conversation(raw, path.name, i, problems) for i, raw in enumerate(data)]
    return [c for c in found if c is not None]


def load_suite(directory: Path = SUITE_DIR) -> List[Conversation]:
    """Every conversation of every *.yml in `directory`, in file order; SuiteError on any problem."""
    problems: List[str] = []
    conversations: List[Conversation] = []
    for path in sorted(Path(directory).glob("*.yml")):
        conversations += load_file(path, problems)
    seen: Dict[str, str] = {}
    for conversation in conversations:
        if conversation.id in seen:
            problems.append(f"duplicate id {conversation.id!r} in {seen[conversation.id]} and {conversation.file}")
        else:
            seen[conversation.id] = conversation.file
    if problems:
        raise SuiteError(problems)
    return conversations


def load_known_gaps(path: Path = KNOWN_GAPS_FILE) -> Dict[str, str]:
    """{conversation id: reason} from known_gaps.txt: one id per line, `#` starts a comment; a
    comment on the id's own line is its reason."""
    gaps: Dict[str, str] = {}
    if not Path(path).exists():
        return gaps
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        entry, _, reason = line.partition("#")
        entry = entry.strip()
        if entry:
            gaps[entry] = reason.strip() or "known gap"
    return gaps


def select(conversations: Iterable[Conversation], only: Sequence[str] = ()) -> List[Conversation]:
    """The conversations whose id or file name contains any of `only` (all when empty)."""
    conversations = list(conversations)
    if not only:
        return conversations
    return [c for c in conversations if any(part in c.id or part in c.file for part in only)]


# ---- checking and running -------------------------------------------------------------------


@dataclass
class TurnResult:
    number: int  # 1-based
    user: str
    reply: str = ""
    failures: List[str] = field(default_factory=list)  # the checks that failed, or the error

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def failed_check(self) -> str:
        return "; ".join(self.failures)


@dataclass
class ConversationResult:
    conversation: Conversation
    turns: List[TurnResult]

    @property
    def id(self) -> str:
        return self.conversation.id

    @property
    def passed(self) -> bool:
        return all(t.passed for t in self.turns) and len(self.turns) == len(self.conversation.turns)

    @property
    def turns_passed(self) -> int:
        return sum(t.passed for t in self.turns)

    @property
    def first_failure(self) -> Optional[TurnResult]:
        return next((t for t in self.turns if not t.passed), None)

    def describe_failure(self, reply_limit: Optional[int] = None) -> str:
        """The first failing turn (user, reply, failed check), then the numbers of the others."""
        turn = self.first_failure
        if turn is None:
            return f"{self.id}: passed"
        reply = turn.reply if reply_limit is None or len(turn.reply) <= reply_limit else turn.reply[:reply_limit] + "…"
        total = len(self.conversation.turns)
        lines = [
            f"{self.id} ({self.conversation.file}, {self.conversation.who}, {self.conversation.today}): "
            f"turn {turn.number}/{total} failed",
            f"  user:  {turn.user}",
            "  reply: " + (reply.replace("\n", "\n         ") if reply else "(none)"),
            f"  check: {turn.failed_check}",
        ]
        others = [str(t.number) for t in self.turns if not t.passed and t is not turn]
        if others:
            lines.append(f"  also failed: turn(s) {', '.join(others)}")
        return "\n".join(lines)


def check(turn: Turn, reply: str) -> List[str]:
    """What of the turn's expectations the reply breaks ([] = passed)."""
    failures = []
    missing = [s for s in turn.all if s not in reply]
    if missing:
        failures.append("all: missing " + ", ".join(repr(s) for s in missing))
    if turn.any and not any(s in reply for s in turn.any):
        failures.append("any: none of " + ", ".join(repr(s) for s in turn.any))
    found = [s for s in turn.none if s in reply]
    if found:
        failures.append("none: found " + ", ".join(repr(s) for s in found))
    return failures


Send = Callable[[str, str], str]


def rest_sender(base_url: str, timeout: float = REQUEST_TIMEOUT, headers: Optional[dict] = None) -> Send:
    """send(sender, message) → the texts of the bot's messages joined by "\\n". `headers` default
    to the test stack's REST bearer token."""
    import requests

    from harness.servers import REST_HEADERS

    headers = REST_HEADERS if headers is None else headers

    url = base_url.rstrip("/") + "/webhooks/rest/webhook"

    def send(sender: str, message: str) -> str:
        response = requests.post(url, json={"sender": sender, "message": message}, headers=headers, timeout=timeout)
        response.raise_for_status()
        return "\n".join(m.get("text") or "" for m in response.json() if isinstance(m, dict)).strip("\n")

    return send


def run_conversation(conversation: Conversation, send: Send, run_id: str) -> ConversationResult:
    sender = f"conv-{conversation.id}-{run_id}"
    results = []
    for number, turn in enumerate(conversation.turns, 1):
        result = TurnResult(number, turn.user)
        try:
            result.reply = send(sender, turn.user)
        except Exception as exc:  # HTTP error, timeout, bad JSON: a failed turn, recorded
            result.failures.append(f"error: {type(exc).__name__}: {exc}"[:500])
        else:
            if not result.reply.strip():
                result.failures.append("error: empty reply")
            else:
                result.failures += check(turn, result.reply)
        results.append(result)
    return ConversationResult(conversation, results)


def run_suite(
    conversations: Sequence[Conversation],
    base_url_or_send,
    workers: int = WORKERS,
    run_id: Optional[str] = None,
    timeout: float = REQUEST_TIMEOUT,
) -> List[ConversationResult]:
    """Run the conversations (each one's turns in order, up to `workers` at a time) against a
    base URL or a send(sender, message) function; results in the given order."""
    send = rest_sender(base_url_or_send, timeout) if isinstance(base_url_or_send, str) else base_url_or_send
    run_id = run_id or uuid.uuid4().hex[:8]
    with ThreadPoolExecutor(max(1, workers)) as pool:
        return list(pool.map(lambda c: run_conversation(c, send, run_id), conversations))


def by_date(conversations: Iterable[Conversation]) -> Dict[str, List[Conversation]]:
    groups: Dict[str, List[Conversation]] = {}
    for conversation in conversations:
        groups.setdefault(conversation.today, []).append(conversation)
    return dict(sorted(groups.items()))


def run_by_date(
    conversations: Sequence[Conversation],
    stack,
    workers: int = WORKERS,
    progress: Optional[Callable[[str], None]] = None,
) -> List[ConversationResult]:
    """Each `today` group against `stack` (tests.conversations.stack.LiveStack) set to that date;
    results in the order of `conversations`."""
    run_id = uuid.uuid4().hex[:8]
    results: Dict[str, ConversationResult] = {}
    for today, group in by_date(conversations).items():
        if progress:
            progress(f"today={today}: {len(group)} conversation(s)")
        try:
            stack.set_today(today)
        except Exception as exc:  # the action server did not come back: this group's turns all fail
            last_line = (str(exc).strip().splitlines() or [""])[-1][:300]
            error = f"error: action server did not start with BOT_TODAY={today}: {type(exc).__name__}: {last_line}"
            if progress:
                progress(error)
            for conversation in group:
                results[conversation.id] = ConversationResult(
                    conversation, [TurnResult(n, t.user, "", [error]) for n, t in enumerate(conversation.turns, 1)]
                )
            continue
        for result in run_suite(group, stack.base_url, workers=workers, run_id=run_id):
            results[result.id] = result
    return [results[c.id] for c in conversations]
