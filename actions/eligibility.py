"""Eligibility check and self-check: thin rasa-sdk actions over the forms in bot/eligibility/forms.py.

The full ID number is read from the current message only; slots keep the masked form.
"""

from __future__ import annotations

from typing import Any, Mapping

from actions.base import ask_action
from actions.forms import FormDone, FormValidator
from bot.eligibility.dialogue import EligibilityDialogue
from bot.eligibility.forms import EligibilityForm, SelfcheckForm
from bot.policy.loader import policy_book


def dialogue() -> EligibilityDialogue:
    return EligibilityDialogue(policy_book())


def selfcheck_question(slot: str, slots: Mapping[str, Any]) -> str:
    return SelfcheckForm(dialogue()).question(slot, slots)


class ValidateEligibilityForm(FormValidator):
    """Consent first; then the identifier, checked and looked up in the same step."""

    action_name = "validate_eligibility_form"

    def form(self) -> EligibilityForm:
        return EligibilityForm(dialogue())


ActionAskEligibilityConsent = ask_action("eligibility_consent", EligibilityForm.question)
ActionAskEligibilitySubject = ask_action("eligibility_subject", EligibilityForm.question)


class ActionEligibilityResult(FormDone):
    """After the form: offer the self-check when there is no consent or no record."""

    action_name = "action_eligibility_result"

    def form(self) -> EligibilityForm:
        return EligibilityForm(dialogue())


class ValidateSelfcheckForm(FormValidator):
    """As many yes/no questions as the benefit's conditions have (at most four)."""

    action_name = "validate_selfcheck_form"

    def form(self) -> SelfcheckForm:
        return SelfcheckForm(dialogue())


ActionAskSelfcheckQ1 = ask_action("selfcheck_q1", selfcheck_question)
ActionAskSelfcheckQ2 = ask_action("selfcheck_q2", selfcheck_question)
ActionAskSelfcheckQ3 = ask_action("selfcheck_q3", selfcheck_question)
ActionAskSelfcheckQ4 = ask_action("selfcheck_q4", selfcheck_question)


class ActionSelfcheckVerdict(FormDone):
    action_name = "action_selfcheck_verdict"

    def form(self) -> SelfcheckForm:
        return SelfcheckForm(dialogue())
