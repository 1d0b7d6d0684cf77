"""Entities found by pattern: phone, ID number, credit code, ticket number, amount, date.

Runs on normalised text (see bot.text.normalize), so Chinese numerals and full-width digits
have already become ASCII digits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import List, Optional

from bot.identifiers import classify_subject, id_number_is_valid, looks_like_credit_code  # noqa: F401 (re-exported)


@dataclass(frozen=True)
class Found:
    entity: str
    value: str
    start: int
    end: int


_PATTERNS = [
    (
        "ticket_id",
        re.compile(r"(?<![A-Za-z])([A-Za-z]{2})[- ]?(\d{8})[- ]?(\d{4})(?!\d)"),
        lambda m: f"{m.group(1).upper()}-{m.group(2)}-{m.group(3)}",
    ),
    (
        "credit_code",
        re.compile(r"(?<![0-9A-Za-z])([0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy]{18})(?![0-9A-Za-z])"),
        lambda m: m.group(1).upper() if _is_credit_code(m.group(1)) else None,
    ),
    ("id_number", re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])"), lambda m: m.group(1).upper()),
    ("phone", re.compile(r"(?<!\d)(1[3-9]\d[ -]?\d{4}[ -]?\d{4})(?!\d)"), lambda m: re.sub(r"\D", "", m.group(1))),
    ("amount", re.compile(r"(\d+(?:\.\d+)?)\s*(?:元|块钱|块|rmb|RMB)"), lambda m: m.group(1)),
    (
        "date",
        re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?"),
        lambda m: _iso(m.group(1), m.group(2), m.group(3)),
    ),
    ("date", re.compile(r"(\d{4})年(\d{1,2})月(?!\d)"), lambda m: f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"),
    (
        "date",
        re.compile(r"(?<![\d年])(\d{1,2})月(\d{1,2})[日号]"),
        lambda m: f"--{int(m.group(1)):02d}-{int(m.group(2)):02d}",
    ),
]


def _is_credit_code(value: str) -> bool:
    """A valid GB 32100 code, all digits or not (classify_subject); an invalid one with letters too,
    so that a mistyped code is still tagged as a code."""
    kind = classify_subject(value).kind
    return kind == "firm" or (kind != "person" and looks_like_credit_code(value))


def _iso(year: str, month: str, day: str) -> Optional[str]:
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def find_entities(text: str) -> List[Found]:
    """Non-overlapping pattern entities, in order of appearance."""
    found: List[Found] = []
    taken: List[range] = []
    for entity, pattern, value_of in _PATTERNS:
        for match in pattern.finditer(text):
            span = range(match.start(), match.end())
            if any(set(span) & set(t) for t in taken):
                continue
            value = value_of(match)
            if value is None:
                continue
            taken.append(span)
            found.append(Found(entity, value, match.start(), match.end()))
    return sorted(found, key=lambda f: f.start)
