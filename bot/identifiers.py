"""Identifiers of people and firms: the resident ID number (GB 11643) and the unified social
credit code (GB 32100). Each check says, in Chinese, what is wrong, so the bot can re-ask clearly.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Optional

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

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
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号中的出生日期不是有效日期"
    if id_number_check_char(value[:17]) != value[17]:
        return "身份证号校验位不正确，可能有数字输错了"
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
