"""Amounts, months and phones as complainants type them (issue 4's parsers)."""

import datetime as dt
from decimal import Decimal

import pytest

from bot.complaints.parsing import parse_amount, parse_months, parse_phone

TODAY = dt.date(2023, 1, 15)


@pytest.mark.parametrize(
    "text, yuan",
    [
        ("一万二", 12000),
        ("1.2万", 12000),
        ("12000元", 12000),
        ("12000块钱", 12000),
        ("1万2", 12000),
        ("三个月工资每月四千", 12000),
        ("老板欠我3个月工资，每月4500", 13500),
        ("每个月3800，欠了两个月", 7600),
        ("一共欠我一万二千五百块", 12500),
        ("总共欠了8千", 8000),
        ("工钱八千", 8000),
        ("欠薪12k", 12000),
        ("電話13912345678，欠了8000", 8000),
        ("2022年的工资5000元没给", 5000),
        ("一千五", 1500),
        ("三萬塊", 30000),
        ("４５００元", 4500),
    ],
)
def test_amounts(text, yuan):
    assert parse_amount(text).yuan == Decimal(yuan)


def test_an_approximate_amount_is_marked():
    amount = parse_amount("6000多块")
    assert amount.yuan == Decimal(6000) and amount.approximate


def test_monthly_amounts_keep_their_parts():
    amount = parse_amount("三个月工资每月四千")
    assert (amount.per_month, amount.months) == (Decimal(4000), 3)


@pytest.mark.parametrize("text", ["欠我们10个人的工资", "没给钱", "干了3个月", ""])
def test_no_amount(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    "text, months",
    [
        ("去年10月到12月", ["2022-10", "2022-11", "2022-12"]),
        ("去年十月至十二月的工资", ["2022-10", "2022-11", "2022-12"]),
        ("从去年九月开始就没发", ["2022-09", "2022-10", "2022-11", "2022-12", "2023-01"]),
        ("10月到现在", ["2022-10", "2022-11", "2022-12", "2023-01"]),
        ("2022年11月、12月的工资", ["2022-11", "2022-12"]),
        ("2021年11月和12月", ["2021-11", "2021-12"]),
        ("十二月份", ["2022-12"]),
        ("今年1月", ["2023-01"]),
        ("去年11月到2月", ["2022-11", "2022-12", "2023-01", "2023-02"]),
    ],
)
def test_months(text, months):
    assert list(parse_months(text, TODAY).months) == months


@pytest.mark.parametrize("text, count", [("三个月", 3), ("欠了两个月工资", 2), ("半年没发", 6)])
def test_a_count_of_months(text, count):
    parsed = parse_months(text, TODAY)
    assert parsed.months == () and parsed.count == count


def test_no_months():
    assert parse_months("老板跑了", TODAY) is None


@pytest.mark.parametrize(
    "text",
    [
        "13912345678",
        "139 1234 5678",
        "139-1234-5678",
        "电话是+8613912345678",
        "我电话１３９１２３４５６７８",
        "手机：13912345678。",
    ],
)
def test_phones(text):
    assert parse_phone(text) == ("13912345678", None)


@pytest.mark.parametrize(
    "text, problem",
    [("1391234567", "11位"), ("139123456789", "11位"), ("12912345678", "第二位"), ("没有手机", "没有找到")],
)
def test_bad_phones_say_why(text, problem):
    phone, why = parse_phone(text)
    assert phone is None and problem in why
