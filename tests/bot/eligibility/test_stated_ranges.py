"""Figures beyond the plausible ranges in what users state about a measure ("车费一共9999…9元",
"招了" + 5,000 digits + "个人", "1e400"): read without raising, never calculated with, and the
reply names the range (bot.eligibility.stated.LIMITS / RANGES, check_text.render_check)."""

import datetime as dt
from decimal import Decimal

import pytest

from bot.dialogue import PolicyDialogue, Turn
from bot.eligibility.stated import LIMITS, out_of_range_note, read_statements
from bot.text.numbers import AMOUNT_RANGE, HEADCOUNT_RANGE

TODAY = dt.date(2023, 1, 20)
FORTY = "9" * 40
HUGE = "9" * 5000


@pytest.fixture(scope="module")
def shengsi(book):
    return book.notice_for_region("shengsi")


@pytest.mark.parametrize(
    "text,name",
    [
        ("包车接工人，车费一共" + FORTY + "元", "cost_yuan"),
        ("包车费用1e400元", "cost_yuan"),
        ("包车费用1e" + HUGE + "元", "cost_yuan"),
        ("包车接了" + HUGE + "个人", "passengers"),
        ("人力资源公司招了" + HUGE + "个人", "recruits"),
        ("人力资源公司招了" + FORTY + "个人", "recruits"),
        ("社保交了" + FORTY + "个月", "insured_months"),
        ("一共" + HUGE + "个员工，要发多少", "headcount"),
    ],
)
def test_an_implausible_figure_is_left_unstated_and_named(shengsi, text, name):
    st = read_statements(text, shengsi, TODAY)
    assert getattr(st, name) is None and name in st.out_of_range
    assert not any(FORTY in e or "1000000000000000" in e for e in st.evidence)


@pytest.mark.parametrize("text", ["包车费用NaN元", "包车费用∞元", "车费-5000元", "招了-3个人"])
def test_no_number_or_a_dash_never_raises(shengsi, text):
    st = read_statements(text, shengsi, TODAY)
    assert st.cost_yuan is None or st.cost_yuan >= 0
    assert st.recruits is None or st.recruits >= 0


def test_plausible_figures_are_kept(shengsi):
    st = read_statements("包车接了30个人，车费一共60000元", shengsi, TODAY)  # normalised text
    assert (st.passengers, st.cost_yuan, st.out_of_range) == (30, Decimal(60000), [])
    assert read_statements("包车费用1.2e4元", shengsi, TODAY).cost_yuan == Decimal(12000)


def test_the_limits_use_the_shared_ranges():
    from bot.text.numbers import AMOUNT_MAX_YUAN, HEADCOUNT_MAX

    assert LIMITS["cost_yuan"] == AMOUNT_MAX_YUAN and LIMITS["headcount"] == LIMITS["recruits"] == HEADCOUNT_MAX


def test_the_note_names_each_range_once(shengsi):
    st = read_statements("人力资源公司招了" + FORTY + "个人，社保交了" + FORTY + "个月", shengsi, TODAY)
    note = out_of_range_note(st)
    assert f"招工人数超出合理范围（{HEADCOUNT_RANGE}）" in note and "社保缴纳月数超出合理范围（1至600个月）" in note
    assert out_of_range_note(read_statements("招了8个人", shengsi, TODAY)) == ""


@pytest.mark.parametrize(
    "text,intent,expected",
    [
        ("嵊泗包车接工人，车费一共" + FORTY + "元，能补多少", "ask_charter_bus", f"费用超出合理范围（{AMOUNT_RANGE}）"),
        ("嵊泗包车费用1e400元能补多少", "ask_charter_bus", f"费用超出合理范围（{AMOUNT_RANGE}）"),
        (
            "嵊泗人力资源公司招了" + HUGE + "个人，能奖励多少",
            "ask_recruitment_reward",
            f"招工人数超出合理范围（{HEADCOUNT_RANGE}）",
        ),
    ],
)
def test_the_reply_asks_again_with_the_range(book, text, intent, expected):
    reply = PolicyDialogue(book).respond(Turn(intent=intent, text=text), TODAY)
    assert expected in reply.messages[0] and "测算" not in reply.messages[0]


def test_a_plausible_figure_is_still_calculated(book):
    reply = PolicyDialogue(book).respond(
        Turn(intent="ask_charter_bus", text="嵊泗包车接工人，车费一共6万，能补多少"), TODAY
    )
    assert "30000元" in reply.messages[0] and "合理范围" not in reply.messages[0]
