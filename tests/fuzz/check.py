"""What the fuzz run looks for: full phones and ID numbers (in any spelling) in replies, log files
and the tracker database; unsafe replies; slots set from outside through intent shortcuts.

A value is found when its canonical form (11 or 18 characters, check character upper-case)
appears in one of three forms of a text: as written; with escapes (\\u200b, \\xff) decoded and
NFKC-normalised; and as digits only (Chinese numerals mapped to digits, everything but 0-9 and X
removed). The masked forms the project writes (139****5678, 330922********1234) never match: the
digits in the middle are gone.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})|\\x([0-9a-fA-F]{2})")
_RUN = re.compile(r"[0-9X]{11,}")
_NOT_DIGIT = re.compile(r"[^0-9X]")
_CHINESE_DIGITS = str.maketrans("〇零一幺二两三四五六七八九", "0011223456789")


def _unescape(text: str) -> str:
    def char(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2) or match.group(3), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _ESCAPE.sub(char, text)


def normalised(text: str) -> str:
    return unicodedata.normalize("NFKC", _unescape(text)).upper()


def digits_only(text: str) -> str:
    return _NOT_DIGIT.sub("", normalised(text).translate(_CHINESE_DIGITS))


@dataclass(frozen=True)
class Found:
    value: str
    form: str  # "raw", "normalised" or "digits-only"


class PiiFinder:
    """Finds any of `values` (canonical phones and ID numbers) in a text."""

    FORMS = (("raw", str.upper), ("normalised", normalised), ("digits-only", digits_only))

    def __init__(self, values: Iterable[str]):
        self.values = {v.upper() for v in values}
        self.lengths = sorted({len(v) for v in self.values})

    def find(self, text: str) -> List[Found]:
        found: Dict[str, Found] = {}
        if not self.values or not text:
            return []
        for form, transform in self.FORMS:
            for run in _RUN.finditer(transform(text)):
                digits = run.group(0)
                for size in self.lengths:
                    for start in range(len(digits) - size + 1):
                        window = digits[start : start + size]
                        if window in self.values and window not in found:
                            found[window] = Found(window, form)
        return list(found.values())


# ---- replies --------------------------------------------------------------------------------------

_UNSAFE = re.compile(
    r"<\s*script|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]", re.IGNORECASE
)


def unsafe(text: str) -> Optional[str]:
    """What makes a reply unsafe to show: "<script", a control character (not \\n \\t \\r), a lone
    surrogate or a bidi override; None when it is safe."""
    match = _UNSAFE.search(text)
    return None if match is None else repr(match.group(0))


def strings(value: Any) -> Iterator[str]:
    """Every string inside a decoded JSON value (keys too)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


# ---- logs and the tracker database ----------------------------------------------------------------


@dataclass
class Leak:
    where: str  # "rasa.log:120", "events.data id=17 (sender fuzz-1-0003)"
    value: str
    form: str
    excerpt: str

    def as_dict(self) -> Dict[str, str]:
        return {"where": self.where, "value": self.value, "form": self.form, "excerpt": self.excerpt}


def excerpt(text: str, value: str, width: int = 160) -> str:
    """Around the value (or its last four digits), control characters escaped."""
    at = text.upper().find(value)
    if at < 0:
        at = normalised(text).find(value[-4:])
    start = max(0, at - width // 2) if at >= 0 else 0
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii")
        for c in text[start : start + width]
    )


def scan_logs(
    directory: Path, finder: PiiFinder, patterns: Sequence[str] = ("rasa.log", "actions-*.log", "*.log")
) -> List[Leak]:
    """Every line of the log files in `directory` that holds a full value, line by line."""
    leaks: List[Leak] = []
    seen = set()
    for pattern in patterns:
        for path in sorted(Path(directory).glob(pattern)):
            if path in seen:
                continue
            seen.add(path)
            with open(path, encoding="utf-8", errors="replace") as lines:
                for number, line in enumerate(lines, 1):
                    for found in finder.find(line):
                        leaks.append(Leak(f"{path.name}:{number}", found.value, found.form, excerpt(line, found.value)))
    return leaks


def _decoded(cell: Any) -> Tuple[str, List[str]]:
    """A cell as text, and the strings inside it when it holds JSON."""
    if isinstance(cell, bytes):
        cell = cell.decode("utf-8", errors="replace")
    text = "" if cell is None else str(cell)
    leaves: List[str] = []
    if text[:1] in "{[":
        try:
            leaves = list(strings(json.loads(text)))
        except ValueError:
            pass
    return text, leaves


def read_table(path: Path, query: str) -> List[sqlite3.Row]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def scan_tracker(path: Path, finder: PiiFinder) -> List[Leak]:
    """Every table and column of the SQLite tracker database; JSON cells string by string."""
    leaks: List[Leak] = []
    tables = [row["name"] for row in read_table(path, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for index, row in enumerate(read_table(path, f'SELECT * FROM "{table}"')):
            label = f"id={row['id']}" if "id" in row.keys() else f"row {index + 1}"
            if "sender_id" in row.keys():
                label += f" (sender {row['sender_id']})"
            for column in row.keys():
                text, leaves = _decoded(row[column])
                found: Dict[str, Tuple[Found, str]] = {}
                for where in leaves + [text]:  # the decoded strings first: their excerpt reads better
                    for f in finder.find(where):
                        found.setdefault(f.value, (f, where))
                for f, where in found.values():
                    leaks.append(Leak(f"{table}.{column} {label}", f.value, f.form, excerpt(where, f.value)))
    return leaks


# ---- slots set from outside -----------------------------------------------------------------------

# Slots only the bot's own logic may set (not read from what the user types).
PROTECTED_SLOTS = (
    "status_attempts",
    "route",
    "stated",
    "benefit",
    "region",
    "topic",
    "handoff_offer",
    "complaint_confirmed",
    "complaint_outcome",
    "complaint_ticket",
    "callback_ticket",
    "eligibility_consent",
    "eligibility_found",
    "form_cancelled",
    "selfcheck_needed",
)


def _same(value: Any, injected: Any) -> bool:
    if isinstance(value, bool) != isinstance(injected, bool):
        return False
    return value == injected or (isinstance(value, (int, float, str)) and str(value) == str(injected))


def distinctive(value: Any) -> bool:
    """An injected value no conversation would reach by itself ("fuzz_…", a negative count)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value < 0
    return "fuzz" in json.dumps(value)


@dataclass
class SlotInjection:
    sender: str
    slot: str
    value: Any
    user_text: str
    why: str

    def as_dict(self) -> Dict[str, Any]:
        return {
            "sender": self.sender,
            "slot": self.slot,
            "value": self.value,
            "user_text": self.user_text[:200],
            "why": self.why,
        }


def check_slots(path: Path, injections: Dict[str, List[Dict[str, Any]]]) -> List[SlotInjection]:
    """`injections`: {sender: [the JSON payloads of its "/intent{…}" messages]}. Flags a protected
    slot set, in the turn of a user message naming it, to the value the payload gave it; and a
    protected slot holding a distinctive injected value anywhere."""
    anywhere: Dict[str, List[Any]] = defaultdict(list)
    for payloads in injections.values():
        for payload in payloads:
            for slot, value in payload.items():
                if slot in PROTECTED_SLOTS and distinctive(value):
                    anywhere[slot].append(value)
    found: List[SlotInjection] = []
    current: Dict[str, Tuple[Dict[str, Any], str]] = {}  # sender → (payload named by its last user message, text)
    for row in read_table(path, "SELECT sender_id, type_name, data FROM events ORDER BY id"):
        sender = row["sender_id"]
        try:
            event = json.loads(row["data"] or "{}")
        except ValueError:
            continue
        if row["type_name"] == "user":
            text = normalised(event.get("text") or "")
            named: Dict[str, Any] = {}
            for payload in injections.get(sender, ()):
                if any(slot.upper() in text for slot in payload):
                    named.update(payload)
            current[sender] = (named, event.get("text") or "")
        elif row["type_name"] == "slot" and event.get("name") in PROTECTED_SLOTS:
            slot, value = event["name"], event.get("value")
            named, text = current.get(sender, ({}, ""))
            if slot in named and _same(value, named[slot]):
                found.append(SlotInjection(sender, slot, value, text, "set to the injected value in the same turn"))
            elif any(_same(value, injected) for injected in anywhere.get(slot, ())):
                found.append(SlotInjection(sender, slot, value, text, "holds a distinctive injected value"))
    return found
