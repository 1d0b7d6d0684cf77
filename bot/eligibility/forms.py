"""The eligibility check (eligibility_form) and the self-check (selfcheck_form) in the one form
shape (bot/forms.py). The conversation's texts and the lookup are EligibilityDialogue's
(bot/eligibility/dialogue.py).

Their answers come through domain.yml's slot mappings (affirm/deny → yes/no, the whole text → the
identifier): `turn.filled`. The full ID number is read from the message only; slots keep the
masked form.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from bot.eligibility.dialogue import CONSENT_PROMPT, DECLINED, SUBJECT_PROMPT, EligibilityDialogue, find_identifier
from bot.form_shape import Aside, FormStep, FormTurn, after_aside

ELIGIBILITY_SLOTS = ["eligibility_consent", "eligibility_subject"]
SELFCHECK_SLOTS = ["selfcheck_q1", "selfcheck_q2", "selfcheck_q3", "selfcheck_q4"]
STOP_INTENTS = {"deny", "goodbye", "out_of_scope"}


class MappedForm:
    """A form whose answers Rasa's slot mappings fill: its `required` slots, in order; a slot
    mapped from this message is checked by its `check_<slot>` method when it has one."""

    name = ""
    cleared_on_cancel: List[str] = []

    def required(self, slots: Mapping[str, Any]) -> List[str]:
        raise NotImplementedError

    def answered(self, turn: FormTurn) -> Optional[bool]:
        """An ID number or a yes/no answers the question; anything else may be an aside."""
        if not turn.requested:
            return None
        return find_identifier(turn.text) is not None or turn.intent in ("affirm", "deny")

    def aside(self, turn: FormTurn, aside: Aside) -> FormStep:
        """A cancel clears the form's answers; anything else keeps the question open (what the
        mapping took from the message is not an answer)."""
        step = after_aside(self.name, turn, aside)
        cleared = self.cleared_on_cancel if aside.cancel else [turn.requested]
        step.slots.update({slot: None for slot in cleared})
        return step

    def take(self, turn: FormTurn) -> FormStep:
        """The mapped values of the required slots, checked; then the first required slot still
        empty (none: the form is done)."""
        slots = dict(turn.slots)
        values = {name: value for name, value in turn.filled.items() if name in self.required(slots)}
        messages: List[str] = []
        for name, value in list(values.items()):
            check = getattr(self, f"check_{name}", None)
            if check is not None:
                checked = check(value, turn, messages)
                values.update(checked)
                slots.update(checked)
        slots.update(values)
        next_slot = next((name for name in self.required(slots) if slots.get(name) is None), None)
        return FormStep(values, messages, next_slot)


class EligibilityForm(MappedForm):
    """Consent first; then the identifier, checked and looked up in the same step."""

    name = "eligibility_form"
    cleared_on_cancel = ELIGIBILITY_SLOTS

    def __init__(self, dialogue: EligibilityDialogue):
        self.dialogue = dialogue

    def required(self, slots: Mapping[str, Any]) -> List[str]:
        return [] if slots.get("eligibility_consent") is False else list(ELIGIBILITY_SLOTS)

    def check_eligibility_consent(self, value: Any, turn: FormTurn, messages: List[str]) -> Dict[str, Any]:
        return {"eligibility_consent": bool(value)}

    def check_eligibility_subject(self, value: Any, turn: FormTurn, messages: List[str]) -> Dict[str, Any]:
        """Read from the message itself: "不查了" instead of a number ends the check."""
        if turn.intent in STOP_INTENTS and find_identifier(turn.text) is None:
            return {"eligibility_subject": None, "eligibility_consent": False}
        outcome = self.dialogue.take_identifier(turn.text)
        messages.extend(outcome.messages)
        if not outcome.accepted:
            return {"eligibility_subject": None}
        return {
            "eligibility_subject": outcome.masked,
            "eligibility_found": outcome.found,
            "eligibility_kind": outcome.kind,
        }

    @staticmethod
    def question(slot: str, slots: Mapping[str, Any]) -> str:
        return CONSENT_PROMPT if slot == "eligibility_consent" else SUBJECT_PROMPT

    def finish(self, slots: Mapping[str, Any]) -> FormStep:
        """After the form: the self-check is offered when there is no consent or no record."""
        talk = self.dialogue
        _, benefit = talk.selfcheck_benefit(slots.get("topic"))
        messages, needed = [], False
        if slots.get("eligibility_consent") is False:
            messages.append(DECLINED + talk.selfcheck_intro(benefit))
            needed = True
        elif slots.get("eligibility_found") is False:
            kind = slots.get("eligibility_kind") or "person"
            masked = slots.get("eligibility_subject") or ""
            if kind == "person":
                messages.append(talk.not_found(masked, kind) + talk.selfcheck_intro(benefit))
                needed = True
            else:
                messages.append(talk.not_found(masked, kind))
        cleared: Dict[str, Any] = {slot: None for slot in ELIGIBILITY_SLOTS}
        cleared.update(
            {
                "eligibility_found": None,
                "eligibility_kind": None,
                "form_cancelled": None,
                "resume_note": None,
                "selfcheck_benefit": benefit.key if needed else None,
                "selfcheck_needed": needed,
            }
        )
        return FormStep(cleared, messages)


class SelfcheckForm(MappedForm):
    """As many yes/no questions as the benefit's conditions have (at most four)."""

    name = "selfcheck_form"
    cleared_on_cancel = SELFCHECK_SLOTS + ["selfcheck_benefit"]

    def __init__(self, dialogue: EligibilityDialogue):
        self.dialogue = dialogue

    def required(self, slots: Mapping[str, Any]) -> List[str]:
        _, benefit = self.dialogue.benefit_by_key(slots.get("selfcheck_benefit"))
        return SELFCHECK_SLOTS[: len(EligibilityDialogue.questions(benefit))]

    def question(self, slot: str, slots: Mapping[str, Any]) -> str:
        _, benefit = self.dialogue.benefit_by_key(slots.get("selfcheck_benefit"))
        return self.dialogue.selfcheck_question(benefit, SELFCHECK_SLOTS.index(slot))

    def finish(self, slots: Mapping[str, Any]) -> FormStep:
        """The verdict on the answers (nothing after a cancel); the answers are cleared."""
        cleared: Dict[str, Any] = {slot: None for slot in SELFCHECK_SLOTS}
        cleared.update({"selfcheck_benefit": None, "selfcheck_needed": False})
        if slots.get("form_cancelled"):
            cleared["form_cancelled"] = None
            return FormStep(cleared)
        notice, benefit = self.dialogue.benefit_by_key(slots.get("selfcheck_benefit"))
        answers: List[Optional[bool]] = [slots.get(slot) for slot in SELFCHECK_SLOTS]
        return FormStep(cleared, [self.dialogue.selfcheck_verdict(notice, benefit, answers)])
