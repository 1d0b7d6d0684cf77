"""bot.text.numbers: digit runs read without ever raising, and the plausible ranges."""

from decimal import Decimal

import pytest

from bot.text.numbers import (
    AMOUNT_MAX_YUAN,
    HEADCOUNT_MAX,
    TOO_LARGE,
    amount_plausible,
    headcount_plausible,
    read_decimal,
    read_int,
)


@pytest.mark.parametrize(
    "text,value",
    [
        ("12", 12),
        ("007", 7),
        ("0", 0),
        ("9" * 15, 10**15 - 1),
        ("9" * 16, TOO_LARGE),
        ("9" * 40, TOO_LARGE),
        ("9" * 5000, TOO_LARGE),
        ("0" * 5000 + "3", 3),
        ("", None),
        ("-3", None),
        ("1e400", None),
        ("NaN", None),
        ("∞", None),
        ("٣", None),
        ("１２", None),
        (None, None),
        (12, None),
    ],
)
def test_read_int(text, value):
    assert read_int(text) == value


@pytest.mark.parametrize(
    "text,value",
    [
        ("12000", Decimal(12000)),
        ("1.5", Decimal("1.5")),
        ("1.2e4", Decimal(12000)),
        ("9" * 40, TOO_LARGE),
        ("9" * 5000, TOO_LARGE),
        ("1e400", TOO_LARGE),
        ("1e" + "9" * 5000, None),
        ("NaN", None),
        ("sNaN", None),
        ("Infinity", None),
        ("∞", None),
        ("-5000", None),
        ("-0", None),
        ("", None),
        ("1,000", None),
        (None, None),
    ],
)
def test_read_decimal(text, value):
    assert read_decimal(text) == value


def test_the_ranges():
    assert amount_plausible(Decimal(1)) and amount_plausible(AMOUNT_MAX_YUAN) and amount_plausible(12000)
    assert not amount_plausible(Decimal("0.5")) and not amount_plausible(AMOUNT_MAX_YUAN + 1)
    assert not amount_plausible(TOO_LARGE) and not amount_plausible(None)
    assert headcount_plausible(1) and headcount_plausible(HEADCOUNT_MAX)
    assert not headcount_plausible(0) and not headcount_plausible(HEADCOUNT_MAX + 1) and not headcount_plausible(None)
