"""bot/eligibility/stated_rules.py: the eligibility rules over what the user said."""

import datetime as dt

import pytest

from bot.eligibility.rules import MET, NOT_MET, UNKNOWN
from bot.eligibility.stated import read_statements
from bot.eligibility.stated_rules import evaluate, verdict

TODAY = dt.date(2023, 1, 20)


@pytest.fixture(scope="module")
def shengsi(book):
    return book.notice_for_region("shengsi")


def outcomes(notice, key, text):
    benefit = next(b for b in notice.benefits if b.key == key)
    results = evaluate(benefit, notice, read_statements(text, notice, TODAY))
    return {r.condition.check["rule"]: r.status for r in results if r.condition.check}, verdict(results)


def test_what_was_not_said_stays_unknown(shengsi):
    statuses, overall = outcomes(shengsi, "retention_bonus", "我是外地户口")
    assert statuses["household_outside_region"] == MET
    assert statuses["social_insurance_month"] == UNKNOWN and statuses["festival_attendance"] == UNKNOWN
    assert overall == UNKNOWN


def test_one_condition_not_met_decides(shengsi):
    statuses, overall = outcomes(shengsi, "retention_bonus", "我是外地户口，社保在老家交的")
    assert statuses["social_insurance_month"] == NOT_MET
    assert overall == NOT_MET


def test_a_firm_kind_not_said_is_tried_both_ways(shengsi):
    unsaid, _ = outcomes(shengsi, "bus_subsidy", "1月25号从贵州包车接了30个人")
    assert unsaid["firm_not_state_owned"] == UNKNOWN
    state, overall = outcomes(shengsi, "bus_subsidy", "我们是国企，1月25号从贵州包车接了30个人")
    assert state["firm_not_state_owned"] == NOT_MET and overall == NOT_MET


def test_an_unknown_cost_share_does_not_hold_back_the_verdict(shengsi):
    text = "我们是嵊泗企业，民营的，1月25号从贵州包车接了30个人"
    statuses, overall = outcomes(shengsi, "bus_subsidy", text)
    assert statuses["charter_cost_share"] == UNKNOWN
    assert set(statuses.values()) == {MET, UNKNOWN} and overall == MET
    from_zhejiang, overall = outcomes(shengsi, "bus_subsidy", text.replace("贵州", "宁波"))
    assert from_zhejiang["charter_cross_province"] == NOT_MET and overall == NOT_MET


@pytest.mark.parametrize(
    "text, worked, stayed",
    [
        ("我过年不回家，在嵊泗上班", True, True),
        ("春节没回老家，一直在岗", True, True),
        ("今年不回家过年了", True, True),
        ("我过年回老家了", False, False),
        ("春节回家过年", False, False),
    ],
)
def test_staying_and_going_home_are_told_apart(shengsi, text, worked, stayed):
    said = read_statements(text, shengsi, TODAY)
    assert (said.worked, said.stayed) == (worked, stayed)
