"""Every eligibility rule at its boundaries, against a real (SQLite, and PostgreSQL if set) store."""

import datetime as dt

import pytest

from bot.eligibility.service import EligibilityService, SubjectError, subject_kind
from tests.factories import SHENGSI, StoreBuilder, id_number


@pytest.fixture
def store(store_url):
    return StoreBuilder(store_url)


def shengsi_only(benefits):
    """The 嵊泗 measures of a report, in order (another notice's checkable measures may follow)."""
    from bot.policy.loader import load_policies
    from tests.conftest import REPO_ROOT

    keys = {b.key for b in load_policies(REPO_ROOT / "policies", []).notice("shengsi_2022_35").benefits}
    return [b["benefit"] for b in benefits if b["benefit"] in keys]


def check(store, subject):
    return EligibilityService(store.url).check(subject).to_dict()


def decision(store, subject, benefit):
    report = check(store, subject)
    return next(b for b in report["benefits"] if b["benefit"] == benefit)


def status(result, condition):
    return next(c["status"] for c in result["conditions"] if c["condition"] == condition)


# ---- people ---------------------------------------------------------------------------------------


def test_a_qualifying_worker_gets_the_retention_bonus_with_cited_reasons(store):
    who = store.worker()
    result = decision(store, who, "retention_bonus")
    assert result["decision"] == "eligible" and result["amount"] == 500
    assert {c["status"] for c in result["conditions"]} == {"met"}
    assert all(c["clause"] == "嵊人社发〔2022〕35号 第1条" for c in result["conditions"])


def test_person_report_lists_the_four_personal_benefits_and_masks_the_id(store):
    who = store.worker()
    report = check(store, who)
    assert shengsi_only(report["benefits"]) == [
        "retention_bonus",
        "delivery_subsidy",
        "consumption_voucher",
        "data_gift",
    ]
    assert report["subject"]["id"] == who[:6] + "********" + who[-4:]


def test_local_household_is_not_eligible(store):
    who = store.worker(household=SHENGSI)
    result = decision(store, who, "retention_bonus")
    assert result["decision"] == "not_eligible"
    assert status(result, "non_local_household") == "not_met"


def test_missing_december_record_is_not_met_but_no_records_at_all_is_unknown(store):
    firm = store.firm()
    gap = store.person()
    store.job(gap, firm)
    store.festival(gap)
    store.insurance(gap, month="2022-11")
    store.insurance(gap, month="2023-01")
    assert status(decision(store, gap, "retention_bonus"), "social_insurance_paid_in_shengsi_2022_12") == "not_met"
    nothing = store.person()
    store.job(nothing, firm)
    store.festival(nothing)
    result = decision(store, nothing, "retention_bonus")
    assert result["decision"] == "unknown" and result["amount"] is None


def test_december_insurance_paid_in_another_county_is_not_met(store):
    who = store.person()
    store.job(who, store.firm())
    store.festival(who)
    store.insurance(who, region="330902")
    result = decision(store, who, "retention_bonus")
    assert status(result, "social_insurance_paid_in_shengsi_2022_12") == "not_met"
    assert "330902" in next(
        c["explanation"] for c in result["conditions"] if c["condition"] == "social_insurance_paid_in_shengsi_2022_12"
    )


@pytest.mark.parametrize("end, expected", [(dt.date(2023, 1, 21), "not_met"), (dt.date(2023, 1, 22), "met")])
def test_the_job_must_be_held_on_the_festival_day(store, end, expected):
    who = store.person()
    store.job(who, store.firm(), end=end)
    store.insurance(who)
    store.festival(who)
    assert status(decision(store, who, "retention_bonus"), "frontline_job_at_above_scale_industrial_firm") == expected


@pytest.mark.parametrize("firm_kwargs", [{"above_scale": False}, {"industrial": False}, {"region": "330902"}])
def test_retention_bonus_needs_an_above_scale_industrial_firm_in_shengsi(store, firm_kwargs):
    who = store.worker(firm=store.firm(**firm_kwargs))
    result = decision(store, who, "retention_bonus")
    assert result["decision"] == "not_eligible"
    assert status(result, "frontline_job_at_above_scale_industrial_firm") == "not_met"


def test_retention_bonus_needs_a_frontline_role(store):
    who = store.person()
    store.job(who, store.firm(), role="other")
    store.insurance(who)
    store.festival(who)
    assert decision(store, who, "retention_bonus")["decision"] == "not_eligible"


def test_no_festival_record_is_unknown_and_not_working_is_not_met(store):
    firm = store.firm()
    who = store.person()
    store.job(who, firm)
    store.insurance(who)
    assert decision(store, who, "retention_bonus")["decision"] == "unknown"
    left = store.person()
    store.job(left, firm)
    store.insurance(left)
    store.festival(left, worked=False)
    assert status(decision(store, left, "retention_bonus"), "worked_through_2023_spring_festival") == "not_met"


@pytest.mark.parametrize(
    "role, expected", [("courier", "eligible"), ("food_delivery", "eligible"), ("frontline", "not_eligible")]
)
def test_delivery_subsidy_for_couriers_and_riders(store, role, expected):
    who = store.person()
    store.job(who, store.firm(above_scale=False, industrial=False), role=role)
    store.festival(who)
    result = decision(store, who, "delivery_subsidy")
    assert result["decision"] == expected
    assert result["amount"] == (500 if expected == "eligible" else None)


@pytest.mark.parametrize(
    "firm_kwargs, stayed, expected",
    [
        ({}, True, "eligible"),
        ({"above_scale": False, "industrial": False, "key_project": True}, True, "eligible"),
        ({"above_scale": False}, True, "not_eligible"),
        ({"festival_production": False}, True, "not_eligible"),
        ({}, False, "not_eligible"),
    ],
)
def test_consumption_voucher(store, firm_kwargs, stayed, expected):
    who = store.person()
    store.job(who, store.firm(**firm_kwargs), role="other")
    store.festival(who, stayed=stayed)
    result = decision(store, who, "consumption_voucher")
    assert result["decision"] == expected
    assert result["amount"] == (1000 if expected == "eligible" else None)


def test_data_gift_has_no_cash_amount_but_is_eligible(store):
    who = store.person()
    store.job(who, store.firm(above_scale=False), role="other")
    store.festival(who, worked=False)
    result = decision(store, who, "data_gift")
    assert result["decision"] == "eligible" and result["amount"] is None


def test_already_paid_personal_benefit_is_not_eligible_with_a_condition_saying_so(store):
    who = store.worker()
    store.claim("retention_bonus", who)
    result = decision(store, who, "retention_bonus")
    assert result["decision"] == "not_eligible"
    paid = next(c for c in result["conditions"] if c["condition"] == "not_already_paid")
    assert paid["status"] == "not_met" and "不能重复领取" in paid["explanation"]
    assert decision(store, who, "consumption_voucher")["decision"] == "eligible"


# ---- bus charters -------------------------------------------------------------------------------


@pytest.mark.parametrize("passengers, expected", [(9, "not_eligible"), (10, "eligible")])
def test_bus_subsidy_needs_ten_workers_per_trip(store, passengers, expected):
    firm = store.firm()
    store.trip(firm, passengers=passengers)
    assert decision(store, firm, "bus_subsidy")["decision"] == expected


@pytest.mark.parametrize(
    "day, expected",
    [
        (dt.date(2023, 1, 21), "not_eligible"),
        (dt.date(2023, 1, 22), "eligible"),
        (dt.date(2023, 2, 5), "eligible"),
        (dt.date(2023, 2, 6), "not_eligible"),
    ],
)
def test_bus_subsidy_window(store, day, expected):
    firm = store.firm()
    store.trip(firm, day=day)
    assert decision(store, firm, "bus_subsidy")["decision"] == expected


def test_bus_subsidy_is_half_the_cost_of_qualifying_trips_only(store):
    firm = store.firm()
    store.trip(firm, cost="8000", seq=1)
    store.trip(firm, cost="6000.50", seq=2)
    store.trip(firm, province="浙江", cost="5000", seq=3)  # same province: not cross-province
    store.trip(firm, passengers=9, cost="7000", seq=4)
    result = decision(store, firm, "bus_subsidy")
    assert result["amount"] == pytest.approx(7000.25)
    assert status(result, "cross_province") == "met"


def test_bus_subsidy_is_capped_per_firm_and_reduced_by_what_was_paid(store):
    firm = store.firm()
    store.trip(firm, cost="150000", seq=1)
    store.trip(firm, cost="90000", seq=2, day=dt.date(2023, 2, 1))
    assert decision(store, firm, "bus_subsidy")["amount"] == 100000
    store.claim("bus_subsidy", firm, amount="60000")
    result = decision(store, firm, "bus_subsidy")
    assert result["decision"] == "eligible" and result["amount"] == 40000
    store.claim("bus_subsidy", firm, amount="40000", paid=dt.date(2023, 3, 1))
    assert decision(store, firm, "bus_subsidy")["decision"] == "not_eligible"


def test_state_controlled_firms_get_no_bus_subsidy(store):
    firm = store.firm(state_owned=True)
    store.trip(firm)
    result = decision(store, firm, "bus_subsidy")
    assert result["decision"] == "not_eligible" and status(result, "not_state_owned") == "not_met"


# ---- HR agencies --------------------------------------------------------------------------------


def _agency_with(store, recruits, **placement):
    agency = store.firm(above_scale=False, industrial=False)
    employer = store.firm()
    for _ in range(recruits):
        store.placement(agency, store.person(), employer, **placement)
    return agency


@pytest.mark.parametrize("recruits, expected, amount", [(4, "not_eligible", None), (5, "eligible", 2500)])
def test_recruitment_reward_needs_five_recruits(store, recruits, expected, amount):
    result = decision(store, _agency_with(store, recruits), "recruitment_reward")
    assert (result["decision"], result["amount"]) == (expected, amount)


@pytest.mark.parametrize(
    "placement", [{"months": 2}, {"first_job": False}, {"start": dt.date(2023, 2, 22)}, {"start": dt.date(2023, 1, 21)}]
)
def test_recruits_that_miss_a_condition_do_not_count(store, placement):
    result = decision(store, _agency_with(store, 5, **placement), "recruitment_reward")
    assert result["decision"] == "not_eligible"
    assert status(result, "at_least_5_new_recruits") == "not_met"


def test_recruitment_reward_cap(store):
    agency = store.firm(above_scale=False)
    employer = store.firm()
    for _ in range(201):
        store.placement(agency, store.person(), employer)
    assert decision(store, agency, "recruitment_reward")["amount"] == 100000


def test_firm_report_counts_workers_who_qualify_for_the_retention_bonus(store):
    firm = store.firm()
    for _ in range(3):
        store.worker(firm=firm)
    store.worker(firm=firm, household=SHENGSI)
    report = check(store, firm)
    assert shengsi_only(report["benefits"]) == ["bus_subsidy", "recruitment_reward"]
    assert report["workforce"] == [
        {"benefit": "retention_bonus", "workers": 4, "eligible": 3, "unknown": 0, "total": 1500}
    ]


# ---- identifiers ----------------------------------------------------------------------------------


def test_unknown_subject_is_none_and_bad_identifiers_say_why(store):
    assert EligibilityService(store.url).check(id_number(seq=999)) is None
    assert subject_kind(id_number()) == "person"
    with pytest.raises(SubjectError, match="校验位"):
        subject_kind(id_number()[:-1] + ("0" if id_number()[-1] != "0" else "1"))
    with pytest.raises(SubjectError, match="18位"):
        subject_kind("12345")


def test_region_contains():
    from bot.regions import region_contains

    assert region_contains("320000", "320581") and region_contains("330922", "330922")
    assert not region_contains("330922", "330921") and not region_contains("320000", "330922")
    assert region_contains("330900", "330922") and not region_contains("", "330922")
