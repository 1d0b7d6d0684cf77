"""The eligibility check and the self-check as forms, without Rasa (bot/eligibility/forms.py).
Their answers come through domain.yml's slot mappings: `filled`."""

from bot.dialogue import Turn
from bot.eligibility.dialogue import CONSENT_PROMPT, SUBJECT_PROMPT, EligibilityDialogue
from bot.eligibility.forms import SELFCHECK_SLOTS, EligibilityForm, SelfcheckForm
from bot.forms import Aside, FormTurn


def turn(text, intent="inform", requested=None, filled=None, **slots):
    slots = {**slots, **(filled or {})}  # Rasa has set the mapped values already
    return FormTurn(Turn(intent, text), requested=requested, slots=slots, filled=filled or {})


def test_consent_then_the_identifier(book):
    form = EligibilityForm(EligibilityDialogue(book))
    step = form.take(turn("同意", "affirm", "eligibility_consent", {"eligibility_consent": True}))
    assert step.slots == {"eligibility_consent": True} and step.next_slot == "eligibility_subject"
    step = form.take(turn("不同意", "deny", "eligibility_consent", {"eligibility_consent": False}))
    assert step.slots == {} and step.next_slot is None  # no consent: nothing more is asked


def test_a_wrong_number_is_asked_again_and_a_stop_ends_the_check(book):
    form = EligibilityForm(EligibilityDialogue(book))
    text = "520101199001011234"  # the check digit is wrong
    step = form.take(
        turn(text, "inform", "eligibility_subject", {"eligibility_subject": text}, eligibility_consent=True)
    )
    assert step.slots == {"eligibility_subject": None} and "校验位不正确" in step.messages[0]
    assert step.next_slot == "eligibility_subject"
    step = form.take(
        turn("不查了", "deny", "eligibility_subject", {"eligibility_subject": "不查了"}, eligibility_consent=True)
    )
    assert step.slots == {"eligibility_subject": None, "eligibility_consent": False} and step.next_slot is None


def test_asides_keep_the_question_open_or_clear_the_answers(book):
    form = EligibilityForm(EligibilityDialogue(book))
    assert form.answered(turn("你好", requested=None)) is None
    assert form.answered(turn("520101199001011233", requested="eligibility_subject")) is True
    assert form.answered(turn("消费券咋领", requested="eligibility_subject")) is False
    step = form.aside(turn("消费券咋领", requested="eligibility_subject"), Aside(["答复"]))
    assert step.slots == {"resume_note": "继续核查", "eligibility_subject": None}
    assert step.next_slot == "eligibility_subject"
    step = form.aside(turn("算了", requested="eligibility_subject"), Aside(["已取消"], cancel=True))
    assert step.slots == {"form_cancelled": True, "eligibility_consent": None, "eligibility_subject": None}
    assert form.question("eligibility_consent", {}) == CONSENT_PROMPT
    assert form.question("eligibility_subject", {}) == SUBJECT_PROMPT


def test_without_consent_the_self_check_is_offered(book):
    step = EligibilityForm(EligibilityDialogue(book)).finish({"eligibility_consent": False})
    assert "不提供证件号也没关系" in step.messages[0] and step.slots["selfcheck_needed"] is True
    assert step.slots["selfcheck_benefit"] and step.slots["eligibility_consent"] is None


def test_the_self_check_asks_as_many_questions_as_the_benefit_has(book):
    form = SelfcheckForm(EligibilityDialogue(book))
    assert form.required({"selfcheck_benefit": "delivery_subsidy"}) == SELFCHECK_SLOTS[:3]
    slots = {"selfcheck_benefit": "delivery_subsidy", "selfcheck_q1": True}
    step = form.take(turn("是的", "affirm", "selfcheck_q2", {"selfcheck_q2": True}, **slots))
    assert step.slots == {"selfcheck_q2": True} and step.next_slot == "selfcheck_q3"
    step = form.take(turn("是的", "affirm", "selfcheck_q3", {"selfcheck_q3": True}, **slots, selfcheck_q2=True))
    assert step.next_slot is None
    assert form.question("selfcheck_q2", slots).startswith("（2/3）")


def test_the_verdict_and_nothing_after_a_cancel(book):
    form = SelfcheckForm(EligibilityDialogue(book))
    answers = {slot: True for slot in SELFCHECK_SLOTS}
    step = form.finish({"selfcheck_benefit": "retention_bonus", **answers})
    assert "您符合一次性留工补助的条件" in step.messages[0] and step.slots["selfcheck_q1"] is None
    step = form.finish({"selfcheck_benefit": "retention_bonus", "form_cancelled": True, **answers})
    assert step.messages == [] and step.slots["form_cancelled"] is None
