"""A form never traps anyone: at every step of every form, a policy question, a status question, a
request for a person and a cancel are dealt with, and nothing but an answer is stored in a field.

Each case runs the form's validation action on a tracker at that step (a real store, no Rasa), then
the form's question for the pending slot, as Rasa would run them.
"""

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import forget_services
from actions.complaints import (
    ActionAskComplaintEmployer,
    ValidateCallbackForm,
    ValidateComplaintForm,
    ValidateStatusForm,
)
from actions.eligibility import ValidateEligibilityForm, ValidateSelfcheckForm
from bot.complaints.service import ComplaintService, Draft
from bot.forms import RESUME, with_resume
from tests.actions.test_complaint_actions import DOMAIN

KEY = "KEYINTERRUPTIONS"
QUESTION = ("对了问一下，嵊泗消费券一个人给多少", "ask_consumption_voucher")
STATUS = ("我上回投诉的那个现在办到哪了", "check_complaint_status")
HUMAN = ("我要找人工客服", "request_human")
CANCEL = ("算了，不弄了", "deny")

STEPS = {
    "complaint_form": [
        "complaint_name",
        "complaint_phone",
        "complaint_employer",
        "complaint_site",
        "complaint_amount",
        "complaint_months",
        "complaint_workers",
        "complaint_description",
        "complaint_confirmed",
    ],
    "status_form": ["status_ticket", "status_phone4"],
    "callback_form": ["callback_wanted", "callback_phone", "callback_time"],
    "eligibility_form": ["eligibility_consent", "eligibility_subject"],
    "selfcheck_form": ["selfcheck_q1", "selfcheck_q2"],
}
VALIDATORS = {
    "complaint_form": ValidateComplaintForm,
    "status_form": ValidateStatusForm,
    "callback_form": ValidateCallbackForm,
    "eligibility_form": ValidateEligibilityForm,
    "selfcheck_form": ValidateSelfcheckForm,
}


def tracker(form: str, requested: str, text: str, intent: str) -> Tracker:
    slots = {name: None for name in DOMAIN["slots"]}
    slots.update(
        requested_slot=requested,
        complaint_key=KEY,
        callback_key=KEY,
        region="shengsi",
        selfcheck_benefit="retention_bonus",
        eligibility_consent=True if requested != "eligibility_consent" else None,
        status_ticket="QX-20230115-0007" if requested == "status_phone4" else None,
    )
    if form == "eligibility_form" and requested == "eligibility_subject":
        slots["eligibility_subject"] = text  # what Rasa's from_text mapping has put there already
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.95},
        "entities": [],
        "intent_ranking": [{"name": intent, "confidence": 0.95}],
    }
    events = [{"event": "user", "text": text, "parse_data": message, "timestamp": 1673740800.0}]
    return Tracker("interrupt", slots, message, events, False, None, {"name": form}, "action_listen")


async def validate(form: str, requested: str, text: str, intent: str):
    dispatcher = CollectingDispatcher()
    events = await VALIDATORS[form]().run(dispatcher, tracker(form, requested, text, intent), DOMAIN)
    return [m["text"] for m in dispatcher.messages], {e["name"]: e["value"] for e in events if e["event"] == "slot"}


@pytest.fixture
def store(store_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", store_url)
    monkeypatch.setenv("BOT_TODAY", "2023-01-20")
    forget_services()
    service = ComplaintService(store_url)
    service.save_draft(KEY, Draft(name="王大力", phone="13912345678"))
    yield service
    forget_services()


CASES = [(form, step) for form, steps in STEPS.items() for step in steps]


@pytest.mark.parametrize("form, step", CASES)
async def test_a_policy_question_is_answered_and_the_form_resumes(store, form, step):
    texts, slots = await validate(form, step, *QUESTION)
    assert any("1000元" in t and "第6条" in t for t in texts), texts
    assert slots.get("resume_note") == RESUME[form]
    assert slots.get("requested_slot", step) == step
    assert all(QUESTION[0] not in str(v) for v in slots.values())


@pytest.mark.parametrize("form, step", [c for c in CASES if c[0] != "status_form"])
async def test_a_status_question_says_how_to_check_and_the_form_resumes(store, form, step):
    texts, slots = await validate(form, step, *STATUS)
    assert texts and any("进度" in t or "工单号" in t for t in texts), texts
    assert slots.get("resume_note") == RESUME[form] and slots.get("requested_slot", step) == step
    assert all(STATUS[0] not in str(v) for v in slots.values())


@pytest.mark.parametrize("form, step", [c for c in CASES if c[0] != "callback_form"])
async def test_asking_for_a_person_gives_the_hotline_and_the_form_resumes(store, form, step):
    texts, slots = await validate(form, step, *HUMAN)
    assert any("12333" in t for t in texts), texts
    assert slots.get("resume_note") == RESUME[form] and slots.get("requested_slot", step) == step


@pytest.mark.parametrize("form, step", [c for c in CASES if c != ("callback_form", "callback_wanted")])
async def test_cancel_ends_the_form_at_any_step_and_nothing_is_kept(store, form, step):
    texts, slots = await validate(form, step, *CANCEL)
    assert any("已取消" in t and "没有提交" in t for t in texts), texts
    assert slots["requested_slot"] is None
    if form == "complaint_form":
        assert store.load_draft(KEY).name is None  # the draft was discarded
        assert all(slots.get(s) is None for s in STEPS["complaint_form"])


async def test_declining_the_callback_offer_is_an_answer_not_a_cancel(store):
    texts, slots = await validate("callback_form", "callback_wanted", *CANCEL)
    assert slots["callback_wanted"] is False and slots["requested_slot"] is None


async def test_after_an_aside_the_question_starts_with_the_resume_line(store):
    _, slots = await validate("complaint_form", "complaint_employer", *QUESTION)
    dispatcher = CollectingDispatcher()
    state = tracker("complaint_form", "complaint_employer", "", "")
    state.slots.update(resume_note=slots["resume_note"], complaint_name="王大力")
    events = await ActionAskComplaintEmployer().run(dispatcher, state, DOMAIN)
    assert dispatcher.messages[0]["text"].startswith("继续登记：欠您工资的是哪家单位")
    assert {"event": "slot", "timestamp": None, "name": "resume_note", "value": None} in events
    assert with_resume("x", state.slots["resume_note"]) == "继续登记：x"


@pytest.mark.parametrize("step", STEPS["complaint_form"][2:8])
async def test_complaint_fields_never_store_questions_or_confirmations(store, step):
    for text in ("对了问一下，俺这种情况过年留在嵊泗，留工补助能领不", "对的，确认提交", "那我要是谈不拢，还能找谁"):
        _, slots = await validate("complaint_form", step, text, "inform")
        assert all(text not in str(v) for v in slots.values()), (step, text, slots)
        draft = store.load_draft(KEY)
        stored = [draft.firm_name, draft.work_site, draft.description, draft.amount_text]
        assert all(text not in str(v) for v in stored), (step, text, stored)


async def test_a_callback_asked_for_with_a_phone_inside_a_form_is_filed_there(store):
    texts, slots = await validate(
        "complaint_form", "complaint_months", "找个人给我回电话吧，号码是13877340516，明天上午都在", "request_human"
    )
    assert any("已登记回电" in t and "138****0516" in t and "明天上午" in t for t in texts), texts
    assert all("13877340516" not in t for t in texts)
    assert slots["resume_note"] == "继续登记" and slots["requested_slot"] == "complaint_months"


async def test_a_status_question_with_ticket_and_code_inside_a_form_is_answered_there(store):
    texts, slots = await validate(
        "complaint_form",
        "complaint_name",
        "对了，我之前投诉的QX-20230105-9931进度咋样了，查询码621548",
        "check_complaint_status",
    )
    assert any("没有查到" in t and "12333" in t for t in texts), texts
    assert slots["resume_note"] == "继续登记"


async def test_a_status_question_in_passing_counts_toward_the_same_limit_of_wrong_codes(store):
    number = store.file("passing", Draft(name="王大力", phone="13912345678", firm_name="某公司"))[0].number
    code = store.receipt_for("passing", number)[1]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        texts, _ = await validate(
            "complaint_form", "complaint_name", f"对了，{number}进度咋样了，查询码{wrong}", "check_complaint_status"
        )
    assert any("错误次数过多" in t for t in texts), texts
    texts, _ = await validate(
        "complaint_form", "complaint_name", f"对了，{number}进度咋样了，查询码{code}", "check_complaint_status"
    )
    assert any("错误次数过多" in t for t in texts) and not any("已受理" in t for t in texts), texts


async def test_the_phones_last_four_with_a_ticket_inside_a_form_point_to_the_status_check(store):
    texts, slots = await validate(
        "complaint_form",
        "complaint_name",
        "对了，我之前投诉的QX-20230105-9931进度咋样了，手机尾号6215",
        "check_complaint_status",
    )
    assert any("查询码" in t for t in texts) and not any("没有查到" in t for t in texts), texts
    assert slots["resume_note"] == "继续登记"


async def test_a_callback_request_with_phone_and_time_is_filed_from_the_opening_message(store):
    texts, slots = await validate(
        "callback_form", None, "那你们找个人给俺回电话吧，号码是13588886666，明天上午都在", "request_human"
    )
    assert slots["callback_ticket"].startswith("HD-") and slots["requested_slot"] is None
    assert slots["callback_phone"] == "135****6666" and slots["callback_time"] == "明天上午都在"
    assert all("13588886666" not in str(v) for v in slots.values())
