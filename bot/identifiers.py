"""Identifiers of people and firms: the resident ID number (GB 11643) and the unified social
credit code (GB 32100). Each check says, in Chinese, what is wrong, so the bot can re-ask clearly.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Optional

from bot.clock import today

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_FIRST_BIRTH_YEAR = 1900
_ID_DATE_PROBLEM = "身份证号中的出生日期不是有效日期"
_ID_CHECK_PROBLEM = "身份证号校验位不正确，可能有数字输错了"

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def id_number_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS)) % 11]


def id_number_problem(value: str) -> Optional[str]:
    """None if `value` is a valid 18-character ID number, else what is wrong, in Chinese."""
    value = (value or "").strip().upper()
    if len(value) != 18:
        return f"身份证号应为18位，您输入的是{len(value)}位"
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        return "身份证号前17位应为数字，最后一位为数字或X"
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return _ID_DATE_PROBLEM
    if birth.year < _ID_FIRST_BIRTH_YEAR or birth > today():
        return _ID_DATE_PROBLEM
    if id_number_check_char(value[:17]) != value[17]:
        return _ID_CHECK_PROBLEM
    return None


def id_number_is_valid(value: str) -> bool:
    return id_number_problem(value) is None


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def credit_code_problem(value: str) -> Optional[str]:
    """None if `value` is a valid unified social credit code, else what is wrong, in Chinese."""
    value = (value or "").strip().upper()
    if len(value) != 18:
        return f"统一社会信用代码应为18位，您输入的是{len(value)}位"
    if any(c not in CREDIT_CODE_CHARS for c in value):
        return "统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）"
    if not value[2:8].isdigit():
        return "统一社会信用代码第3-8位应为行政区划代码（数字）"
    if credit_code_check_char(value[:17]) != value[17]:
        return "统一社会信用代码校验位不正确，可能有字符输错了"
    return None


def credit_code_is_valid(value: str) -> bool:
    return credit_code_problem(value) is None


def looks_like_credit_code(value: str) -> bool:
    """An 18-character code with a letter outside the last place is a credit code, not an ID."""
    value = (value or "").strip().upper()
    return len(value) == 18 and not value[:17].isdigit()


# ---- which kind of subject ------------------------------------------------------------------------

PERSON, FIRM, AMBIGUOUS, INVALID = "person", "firm", "ambiguous", "invalid"
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]")  # spaces, hyphens and dashes
AMBIGUOUS_REASON = "这个18位号码既符合身份证号规则，也符合统一社会信用代码规则"
AMBIGUOUS_QUESTION = "请问这是个人的身份证号，还是单位的统一社会信用代码？"


@dataclass(frozen=True)
class SubjectKind:
    """What an identifier is: kind is person, firm, ambiguous or invalid; value is the normalised form.

    reason says why it is ambiguous or invalid; message adds what the user should do (both Chinese).
    """

    kind: str
    value: str
    reason: Optional[str] = None
    message: Optional[str] = None

    @property
    def decided(self) -> bool:
        return self.kind in (PERSON, FIRM)


def normalize_subject(value: str) -> str:
    """Full-width → half-width, spaces and hyphens removed, upper-cased."""
    text = unicodedata.normalize("NFKC", value or "")
    return _SEPARATORS.sub("", text).upper()


def classify_subject(value: str) -> SubjectKind:
    """A person (GB 11643 ID number) or a firm (GB 32100 credit code), decided by the checks alone.

    The value is normalised first. If exactly one check passes, that is the kind; if both pass it is
    ambiguous (the message asks which it is); if both fail it is invalid, and the message names the
    problem of the kind most likely meant: the credit code's if there is a letter (other than a final
    X), else the ID number's.
    """
    code = normalize_subject(value)
    as_person, as_firm = id_number_problem(code), credit_code_problem(code)
    if as_person is None and as_firm is None:
        return SubjectKind(AMBIGUOUS, code, AMBIGUOUS_REASON, f"{AMBIGUOUS_REASON}。{AMBIGUOUS_QUESTION}")
    if as_person is None or as_firm is None:
        return SubjectKind(PERSON if as_person is None else FIRM, code)
    reason = _invalid_reason(code, as_person, as_firm)
    return SubjectKind(INVALID, code, reason, f"{reason}，请核对后重新输入。")


def _invalid_reason(code: str, as_person: str, as_firm: str) -> str:
    if len(code) != 18:
        return f"证件号码应为18位（身份证号或统一社会信用代码），您输入的是{len(code)}位"
    if not re.fullmatch(r"[0-9]{17}[0-9X]", code):
        return as_firm
    if as_person != _ID_CHECK_PROBLEM:  # all digits, but no ID number: a mistyped all-digit credit code?
        return f"{as_person}；如果这是统一社会信用代码，它的校验位也不正确"
    return as_person
