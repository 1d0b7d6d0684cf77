"""Numbers read from what users type, and the ranges a stated figure must fall in to be used.

Users type anything: a 40-digit "amount", a 5,000-digit "head count". `int()` refuses more than
4,300 digits and `Decimal.quantize` more than 28, so digit runs are read here, never with a bare
int()/Decimal(): a run longer than MAX_DIGITS reads as TOO_LARGE, which is beyond every range below,
so the caller re-asks with the range instead of failing or calculating with it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Optional, Union

MAX_DIGITS = 15
TOO_LARGE = 10**MAX_DIGITS

# What a worker or firm can plausibly state. Beyond these a figure is a typo or a test.
AMOUNT_MIN_YUAN = Decimal(1)  # wages owed, a bus fare bill
AMOUNT_MAX_YUAN = Decimal(10_000_000)  # 1000万元
HEADCOUNT_MIN = 1  # workers owed wages, people paid, recruits
HEADCOUNT_MAX = 100_000  # 10万人
AMOUNT_RANGE = "1元至1000万元"
HEADCOUNT_RANGE = "1至10万人"


def read_int(digits: str) -> Optional[int]:
    """ASCII digits → int (TOO_LARGE beyond MAX_DIGITS significant digits); None for anything else."""
    if not isinstance(digits, str) or not digits.isascii() or not digits.isdigit():
        return None
    significant = digits.lstrip("0")
    return TOO_LARGE if len(significant) > MAX_DIGITS else int(significant or "0")


def read_decimal(text: str) -> Optional[Decimal]:
    """ "12000", "1.5", "1.2e4" → Decimal (TOO_LARGE beyond MAX_DIGITS integer digits); None for
    anything that is not a finite, non-negative number ("NaN", "∞", "-5", "")."""
    if not isinstance(text, str) or not text.isascii() or len(text) > 10_000:
        return None
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value.is_signed():
        return None
    if value.adjusted() >= MAX_DIGITS:
        return Decimal(TOO_LARGE)
    return value


def amount_plausible(yuan: Union[Decimal, int, None]) -> bool:
    return yuan is not None and AMOUNT_MIN_YUAN <= yuan <= AMOUNT_MAX_YUAN


def headcount_plausible(count: Optional[int]) -> bool:
    return count is not None and HEADCOUNT_MIN <= count <= HEADCOUNT_MAX
