"""Hostile figures in the complaint form: a 40-digit amount, a 5,000-digit head count, "1e400", "NaN",
"∞", negative numbers. No parser raises (the action server once answered HTTP 500 and the user got
nothing); a figure beyond the plausible range is never stored and, when it answers the question,
is re-asked with the range."""

import datetime as dt
from decimal import Decimal

import pytest

from bot.complaints.dialogue import SLOTS, ComplaintIntake
from bot.complaints.fields import OUT_OF_RANGE, PROBLEMS, extract, extract_correction, find_workers
from bot.complaints.parsing import parse_amount, parse_months, parse_phone, read_amount
from bot.complaints.service import ComplaintService
from bot.text.clean import MAX_CHARS
from bot.text.numbers import AMOUNT_RANGE, HEADCOUNT_RANGE, TOO_LARGE

DAY = dt.date(2023, 1, 15)
FORTY = "9" * 40
HUGE = "9" * 5000  # what the fuzzer sent; the channels cut it to LONG, the form reads the first 500
LONG = "9" * MAX_CHARS


def short(text):
    return f"{text[:12]}…{len(text)}" if len(text) > 16 else text


HOSTILE = [
    FORTY + "元",
    "欠我" + FORTY + "元",
    "一共" + FORTY,
    "每月" + FORTY + "，欠了3个月",
    FORTY + "." + FORTY + "元",
    LONG,
    LONG[:-1] + "元",
    LONG[:-2] + "个人",
    "1e400元",
    "1E400",
    "1e" + LONG[:-2],
    "NaN元",
    "nan",
    "∞元",
    "-5000元",
    "-" + FORTY + "元",
    "0元",
    "0.001元",
    "0." + "0" * 40 + "1元",
    "12000元" + "\u200b" * 50,
    "一万亿元",
]


@pytest.mark.parametrize("text", HOSTILE, ids=short)
def test_no_parser_raises(text):
    read_amount(text)
    parse_months(text, DAY)
    parse_phone(text)
    find_workers(text, asked=True)
    for asked in (None, "amount", "workers", "months", "phone", "description"):
        extract(text, DAY, asked=asked)
    extract_correction("金额改成" + text, DAY)
    extract_correction("人数改成" + text, DAY)


@pytest.mark.parametrize("text", [HUGE, HUGE + "元", HUGE + "个人", "1e" + HUGE], ids=short)
def test_the_form_reads_a_bounded_prefix(text):
    for asked in (None, "amount", "workers"):
        assert "amount" not in extract(text, DAY, asked=asked).values
    assert extract_correction("金额改成" + text, DAY).problem == OUT_OF_RANGE["amount"]


@pytest.mark.parametrize(
    "text",
    [
        "欠我" + FORTY + "元",
        "一共" + FORTY,
        FORTY + "." + FORTY + "元",
        LONG + "元",
        "1e400元",
        "一万亿元",
        "0元",
        "0.5元",
    ],
    ids=short,
)
def test_an_implausible_amount_is_read_but_never_parsed(text):
    assert read_amount(text) is not None and not read_amount(text).plausible
    assert parse_amount(text) is None


def test_figures_too_long_to_be_money_read_as_too_large():
    assert read_amount("欠我" + FORTY + "元").yuan == TOO_LARGE
    assert read_amount("1e" + "9" * 50 + "元").yuan == TOO_LARGE
    assert read_amount("每月" + FORTY + "，欠了3个月").yuan == TOO_LARGE * 3


@pytest.mark.parametrize("text", ["NaN元", "∞元", "nan", "Infinity元"], ids=short)
def test_no_number_is_no_amount(text):
    assert read_amount(text) is None


def test_a_minus_sign_is_a_dash_never_a_negative_amount():
    assert parse_amount("-5000元").yuan == Decimal(5000)
    assert parse_amount("3000-5000元").yuan == Decimal(5000)


def test_a_card_number_next_to_the_amount_is_not_the_amount():
    assert parse_amount("卡号62220200000000000000，欠我5000元").yuan == Decimal(5000)


def test_plausible_amounts_are_unchanged():
    assert parse_amount("12000元").yuan == Decimal(12000)
    assert parse_amount("1000万元").yuan == Decimal(10_000_000)
    assert parse_amount("1.2e4元").yuan == Decimal(12000)


@pytest.mark.parametrize("text", ["欠我" + FORTY + "元", FORTY, LONG, HUGE, "1e400元", "0元", "一万亿"], ids=short)
def test_an_asked_amount_out_of_range_is_re_asked_with_the_range(text):
    found = extract(text, DAY, asked="amount")
    assert "amount" not in found.values
    assert found.problem == OUT_OF_RANGE["amount"] and AMOUNT_RANGE in found.problem


@pytest.mark.parametrize(
    "text", [HUGE, HUGE + "个人", FORTY + "个工友", "一共" + FORTY + "人", "0", "0个人", "200000人"], ids=short
)
def test_an_asked_head_count_out_of_range_is_re_asked_with_the_range(text):
    found = extract(text, DAY, asked="workers")
    assert "workers" not in found.values
    assert found.problem == OUT_OF_RANGE["workers"] and HEADCOUNT_RANGE in found.problem


@pytest.mark.parametrize("text", ["NaN", "∞", "很多人"], ids=short)
def test_an_asked_head_count_that_is_no_number_gets_the_usual_question(text):
    assert extract(text, DAY, asked="workers").problem == PROBLEMS["workers"]


def test_a_plausible_head_count_is_kept():
    assert extract("12个人", DAY, asked="workers").values["workers"] == 12
    assert extract("-3个人", DAY, asked="workers").values["workers"] == 3  # the dash is not a sign
    assert extract("100000", DAY, asked="workers").values["workers"] == 100_000


def test_unasked_implausible_figures_are_left_out_and_the_rest_is_kept():
    found = extract("我叫王大力，电话13912345678，老板欠我" + FORTY + "元，" + HUGE[:900] + "个人", DAY)
    assert found.values["name"] == "王大力" and found.values["phone"] == "13912345678"
    assert "amount" not in found.values and "workers" not in found.values and found.problem is None


def test_a_correction_out_of_range_names_the_range():
    assert extract_correction("金额改成" + FORTY, DAY).problem == OUT_OF_RANGE["amount"]
    assert extract_correction("人数改成" + HUGE, DAY).problem == OUT_OF_RANGE["workers"]
    assert extract_correction("金额改成一万五", DAY).values["amount"].yuan == Decimal(15000)


def test_the_form_re_asks_and_keeps_going(store_url):
    intake = ComplaintIntake(ComplaintService(store_url, clock=lambda: DAY), today=lambda: DAY)
    step = intake.take("conversation-hostile", "老板欠我工资，欠我" + FORTY + "元", "complain_wage_arrears", None)
    assert step.slots[SLOTS["amount"]] is None
    step = intake.take("conversation-hostile", FORTY + "元", "inform", "amount")
    assert AMOUNT_RANGE in " ".join(step.messages) and step.slots[SLOTS["amount"]] is None
    step = intake.take("conversation-hostile", HUGE, "inform", "workers")
    assert HEADCOUNT_RANGE in " ".join(step.messages) and step.slots[SLOTS["workers"]] is None
    step = intake.take("conversation-hostile", "12000元", "inform", "amount")
    assert step.slots[SLOTS["amount"]] == "12000元"
