"""Understand amounts, months and phone numbers the way complainants type them.

Input goes through bot.text.normalize first, so "一万二" is already "12000", "三个月" is "3个月"
and "去年十月" is "去年10月". Each parser returns None when the message holds nothing usable, and
none raises: a figure of 40 digits, "1e400" or a 5,000-digit run is read through bot.text.numbers
(`read_amount` gives an Amount that is not `plausible`, for the caller to re-ask with the range;
`parse_amount` gives None).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import List, Optional, Tuple

from bot.text.normalize import normalize
from bot.text.numbers import TOO_LARGE, amount_plausible, read_decimal

_NUMBER = r"([0-9]+(?:\.[0-9]+)?(?:[eE]\+?[0-9]+)?)"
_CENT = Decimal("0.01")
_NOT_MONEY_AFTER = r"(?!\d|\.\d|\s*(?:个月|个人|月|年|日|号|人|天|次|名|位|岁|点|小时|%|％))"


@dataclass(frozen=True)
class Amount:
    yuan: Decimal
    approximate: bool = False  # "6000多"
    per_month: Optional[Decimal] = None
    months: Optional[int] = None

    @property
    def plausible(self) -> bool:
        """Within bot.text.numbers' AMOUNT range: only then is it stored or calculated with."""
        return amount_plausible(self.yuan)


def _money(value: str) -> Decimal:
    """A matched figure to the fen; one too long to be money ("1e99999…") reads as TOO_LARGE."""
    number = read_decimal(value)
    return (Decimal(TOO_LARGE) if number is None else number).quantize(_CENT)


def parse_amount(text: str) -> Optional[Amount]:
    """The amount owed, when it is within bot.text.numbers' range (see read_amount)."""
    amount = read_amount(text)
    return amount if amount is not None and amount.plausible else None


def read_amount(text: str) -> Optional[Amount]:
    """The amount owed: "一万二", "1.2万", "12000元", "三个月工资每月四千" (= 12000); also one beyond
    any plausible amount ("9999…9元", "1e400元"), not `plausible`, for the caller to re-ask."""
    flat = normalize(text or "")
    flat = re.sub(r"1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}", " ", flat)  # phone numbers are not money
    flat = re.sub(r"\d{4}年", " ", flat)
    months = re.search(r"(\d{1,2})\s*个月", flat)
    monthly = re.search(r"(?:每个?月|一个月|月薪|月工资|工资每月)\D{0,4}?" + _NUMBER + r"\s*(多)?", flat)
    total = re.search(r"(?:一共|总共|共计|合计|总计|共|累计)\D{0,6}?" + _NUMBER + r"\s*(多)?", flat)
    if total:
        return Amount(_money(total.group(1)), approximate=bool(total.group(2)))
    if monthly and months:
        per = _money(monthly.group(1))
        count = int(months.group(1))
        return Amount(per * count, approximate=bool(monthly.group(2)), per_month=per, months=count)
    candidates = [
        (m, _money(m.group(1)))
        for m in re.finditer(_NUMBER + _NOT_MONEY_AFTER + r"\s*(多)?", flat)
        if not re.match(r"\s*(个月|月)", flat[m.end(1) :])
    ]
    candidates = [(m, v) for m, v in candidates if v >= 10 or re.match(r"\s*(元|块)", flat[m.end(1) :])]
    if not candidates:
        return None
    # An ID or account number next to the amount is not the amount: the largest plausible figure.
    plausible = [(m, v) for m, v in candidates if amount_plausible(v)] or candidates
    match, value = max(plausible, key=lambda mv: mv[1])
    return Amount(value, approximate=bool(match.group(2)))


@dataclass(frozen=True)
class Months:
    months: Tuple[str, ...]  # "YYYY-MM", oldest first; empty when only a count was given
    count: Optional[int] = None


def _year_for(month: int, prefix: str, today: dt.date) -> int:
    if prefix == "去年":
        return today.year - 1
    if prefix == "前年":
        return today.year - 2
    if prefix == "今年":
        return today.year
    return today.year if month <= today.month else today.year - 1


def _span(start: Tuple[int, int], end: Tuple[int, int]) -> List[str]:
    (y, m), out = start, []
    while (y, m) <= end and len(out) < 60:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


_MONTH = r"(去年|今年|前年|(\d{4})年)?\s*(\d{1,2})\s*月(?:份)?"
_ISO_MONTH = r"((?:19|20)\d{2})[-/](\d{1,2})"  # 2022-10, 2022/10
_ISO_LIST = re.compile(rf"{_ISO_MONTH}(?:\s*[、,，;；\s]\s*{_ISO_MONTH})*")
_ISO_RANGE = re.compile(rf"{_ISO_MONTH}\s*(?:到|至|~|—)\s*{_ISO_MONTH}")


def _iso_months(flat: str) -> Optional[Months]:
    """Months written the way the console shows and pre-fills them ("2022-10、2022-11",
    "2022-11至2023-01"), only when that is the whole answer: in a chat message "2020.5元" is an amount
    and "2023/11到现在" is read by the Chinese-month rules."""
    flat = flat.strip(" 。.")
    span = _ISO_RANGE.fullmatch(flat)
    if span:
        start, end = (int(span.group(1)), int(span.group(2))), (int(span.group(3)), int(span.group(4)))
        if 1 <= start[1] <= 12 and 1 <= end[1] <= 12 and start <= end:
            return Months(tuple(_span(start, end)))
        return None
    if not _ISO_LIST.fullmatch(flat):
        return None
    listed = [(int(y), int(m)) for y, m in re.findall(_ISO_MONTH, flat)]
    if not all(1 <= m <= 12 for _, m in listed):
        return None
    return Months(tuple(sorted({f"{y:04d}-{m:02d}" for y, m in listed})))


def parse_months(text: str, today: dt.date) -> Optional[Months]:
    """The months owed: "去年10月到12月", "从去年9月开始", "2022年11月、12月", "三个月"."""
    flat = normalize(text or "")

    def month_of(match, group_offset: int = 0) -> Optional[Tuple[int, int]]:
        prefix, year, month = (
            match.group(1 + group_offset),
            match.group(2 + group_offset),
            int(match.group(3 + group_offset)),
        )
        if not 1 <= month <= 12:
            return None
        if year:
            return int(year), month
        return _year_for(month, prefix or "", today), month

    iso = _iso_months(flat)
    if iso:
        return iso
    span = re.search(_MONTH + r"\s*(?:到|至|-|~|—|一直到)\s*" + _MONTH, flat)
    if span:
        start, end = month_of(span), month_of(span, 3)
        if start and end:
            if span.group(4) is None and span.group(5) is None and end < start:
                end = (start[0] + 1, end[1])  # "去年11月到2月": the year rolls over
            return Months(tuple(_span(start, end)))
    since = re.search(r"(?:从|自)?\s*" + _MONTH + r"\s*(?:开始|起|以来|到现在|至今|到今天)", flat)
    if since:
        start = month_of(since)
        if start:
            return Months(tuple(_span(start, (today.year, today.month))))
    listed: List[Tuple[int, int]] = []
    carried: Optional[int] = None  # "2021年11月、12月": the year carries over to the next months
    for match in re.finditer(_MONTH, flat):
        month = int(match.group(3))
        if not 1 <= month <= 12:
            continue
        if match.group(1):
            year = month_of(match)[0]
            carried = year
        else:
            year = carried if carried is not None else _year_for(month, "", today)
        listed.append((year, month))
    if listed:
        return Months(tuple(sorted({f"{y:04d}-{m:02d}" for y, m in listed})))
    count = re.search(r"(\d{1,2})\s*个月", flat)
    if count:
        return Months((), int(count.group(1)))
    half = re.search(r"半年", flat)
    if half:
        return Months((), 6)
    return None


def parse_phone(text: str) -> Tuple[Optional[str], Optional[str]]:
    """(mobile, None) for a valid mainland mobile number, else (None, what is wrong in Chinese)."""
    flat = normalize(text or "")
    flat = re.sub(r"(?<=\d)[\s-]+(?=\d)", "", flat)
    flat = re.sub(r"^\+?86(?=1\d{10}\b)|(?<=\D)\+?86(?=1\d{10}\b)", "", flat)
    match = re.search(r"(?<!\d)(1[3-9]\d{9})(?!\d)", flat)
    if match:
        return match.group(1), None
    digits = re.search(r"(?<!\d)(1\d{6,12})(?!\d)", flat)
    if digits:
        value = digits.group(1)
        if len(value) != 11:
            return None, f"手机号应为11位，您输入的是{len(value)}位"
        return None, "手机号第二位应为3-9"
    return None, "没有找到手机号，请输入11位手机号"
