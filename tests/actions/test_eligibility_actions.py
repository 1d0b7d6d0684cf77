"""Eligibility actions: real trackers from JSON fixtures, a real store, no Rasa server."""

import json
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.eligibility import (
    ActionAskSelfcheckQ2,
    ActionEligibilityResult,
    ActionSelfcheckVerdict,
    ValidateEligibilityForm,
    ValidateSelfcheckForm,
)
from tests.factories import SHENGSI, StoreBuilder

FIXTURES = Path(__file__).parent / "fixtures"
DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))
WANG = "520101199001011233"
FIRM = "91330922MA2A00001T"


def load_tracker(name: str) -> Tracker:
    return Tracker.from_dict(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


async def run(action, tracker_name):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, load_tracker(tracker_name), domain=DOMAIN)
    return [m["text"] for m in dispatcher.messages], events


@pytest.fixture
def store(store_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", store_url)
    from bot.store.db import session_scope
    from bot.store.models import Firm, Person

    builder = StoreBuilder(store_url)
    with session_scope(store_url) as session:
        session.add(
            Firm(
                credit_code=FIRM,
                name="嵊泗某水产公司",
                region_code=SHENGSI,
                above_scale=True,
                industrial=True,
                state_owned=False,
                key_project=False,
                festival_production=True,
            )
        )
        session.add(Person(id_number=WANG, name="王大力", phone="13912345678", household_region_code="520101"))
    builder.job(WANG, FIRM)
    builder.insurance(WANG)
    builder.festival(WANG)
    return builder


def slots(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def test_a_valid_id_gets_the_report_and_only_the_masked_id_is_kept(store):
    texts, events = await run(ValidateEligibilityForm(), "eligibility_subject_valid_id")
    assert slots(events)["eligibility_subject"] == "520101********1233"
    assert slots(events)["eligibility_found"] is True
    assert "✅ 符合条件：一次性留工补助，500元" in texts[0]
    assert "（依据：嵊人社发〔2022〕35号 第1条）" in texts[0]
    assert all(WANG not in t for t in texts)
    assert all(len(t.encode("utf-8")) <= 2048 for t in texts)


async def test_a_checksum_error_is_re_asked_clearly(store):
    texts, events = await run(ValidateEligibilityForm(), "eligibility_subject_bad_checksum")
    assert slots(events)["eligibility_subject"] is None
    assert "校验位不正确" in texts[0] and "重新输入" in texts[0]


async def test_a_message_without_a_number_is_re_asked(store):
    texts, events = await run(ValidateEligibilityForm(), "eligibility_subject_no_number")
    assert slots(events)["eligibility_subject"] is None and "18位身份证号" in texts[0]


async def test_a_firm_gets_its_bus_subsidy_and_worker_summary(store):
    texts, events = await run(ValidateEligibilityForm(), "eligibility_subject_credit_code")
    assert slots(events)["eligibility_kind"] == "firm"
    assert "跨省“点对点”包车返岗补贴" in texts[0]
    assert "已发放0元，剩余额度100,000元" in texts[0]
    assert "1人符合条件，合计500元" in texts[1]


async def test_an_unknown_person_is_accepted_as_not_found(store):
    texts, events = await run(ValidateEligibilityForm(), "eligibility_subject_unknown_person")
    assert slots(events)["eligibility_found"] is False and texts == []


async def test_declined_consent_starts_the_self_check_for_the_asked_benefit(store):
    texts, events = await run(ActionEligibilityResult(), "eligibility_declined_result")
    assert "3个问题" in texts[0] and "快递外卖人员一次性稳岗补贴" in texts[0]
    assert SlotSet("selfcheck_needed", True) in events
    assert SlotSet("selfcheck_benefit", "delivery_subsidy") in events
    assert SlotSet("eligibility_consent", None) in events


async def test_not_found_offers_the_self_check(store):
    texts, events = await run(ActionEligibilityResult(), "eligibility_not_found_result")
    assert "110105********002X" in texts[0] and "4个问题" in texts[0]
    assert SlotSet("selfcheck_needed", True) in events


async def test_self_check_asks_as_many_questions_as_the_benefit_has():
    form = ValidateSelfcheckForm().form()
    tracker = load_tracker("eligibility_declined_result")
    tracker.slots["selfcheck_benefit"] = "delivery_subsidy"
    assert form.required(tracker.slots) == ["selfcheck_q1", "selfcheck_q2", "selfcheck_q3"]
    texts, _ = await run(ActionAskSelfcheckQ2(), "selfcheck_all_yes")
    assert texts == ["（2/4）2023年春节期间，您在嵊泗县规上工业企业的一线生产岗位工作吗？请回答“是”或“不是”。"]


async def test_self_check_verdicts():
    texts, events = await run(ActionSelfcheckVerdict(), "selfcheck_all_yes")
    assert "您符合一次性留工补助的条件，标准为每人500元" in texts[0]
    assert texts[0].endswith("（依据：嵊人社发〔2022〕35号 第1条）")
    assert SlotSet("selfcheck_q1", None) in events
    texts, _ = await run(ActionSelfcheckVerdict(), "selfcheck_one_no")
    assert "暂不符合" in texts[0] and "2022年12月在嵊缴纳社会保险" in texts[0]


async def test_an_id_number_is_checked_whatever_intent_nlu_gave_it(store):
    texts, events = await run(ValidateEligibilityForm(), "eligibility_subject_id_as_out_of_scope")
    assert slots(events)["eligibility_found"] is True and "一次性留工补助" in texts[0]


async def test_saying_stop_instead_of_an_id_ends_the_form_and_says_nothing_was_kept(store):
    texts, events = await run(ValidateEligibilityForm(), "eligibility_subject_stop")
    assert slots(events)["eligibility_consent"] is None and slots(events)["eligibility_subject"] is None
    assert "已取消" in texts[0] and "没有提交" in texts[0]
    assert slots(events)["requested_slot"] is None and slots(events)["form_cancelled"] is True
