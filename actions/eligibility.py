"""Eligibility check and self-check: thin rasa-sdk actions over bot.eligibility.dialogue.

The full ID number is read from the current message only; slots keep the masked form.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.actions import form_aside, prompt_action, with_resume
from bot.eligibility.dialogue import CONSENT_PROMPT, DECLINED, SUBJECT_PROMPT, EligibilityDialogue, find_identifier
from bot.policy.loader import policy_book

SELFCHECK_SLOTS = ["selfcheck_q1", "selfcheck_q2", "selfcheck_q3", "selfcheck_q4"]
STOP_INTENTS = {"deny", "goodbye", "out_of_scope"}


def dialogue() -> EligibilityDialogue:
    return EligibilityDialogue(policy_book())


def latest_intent(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


ActionAskEligibilityConsent = prompt_action("action_ask_eligibility_consent", CONSENT_PROMPT)


ActionAskEligibilitySubject = prompt_action("action_ask_eligibility_subject", SUBJECT_PROMPT)


async def aside_in(form: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[EventType]]:
    """A cancel or a question inside the check (None: the message answers the form)."""
    requested = tracker.get_slot("requested_slot")
    if not requested:
        return None
    text = (tracker.latest_message or {}).get("text") or ""
    answered = find_identifier(text) is not None or latest_intent(tracker) in ("affirm", "deny")
    events = await form_aside(dispatcher, tracker, form, answered)
    if events is None:
        return None
    if any(e.get("name") == "form_cancelled" for e in events):
        extra = (
            [SlotSet("eligibility_consent", None), SlotSet("eligibility_subject", None)]
            if form == "eligibility_form"
            else [SlotSet(s, None) for s in SELFCHECK_SLOTS] + [SlotSet("selfcheck_benefit", None)]
        )
        return events + extra
    return events + [SlotSet(requested, None)]


class ValidateEligibilityForm(FormValidationAction):
    """Consent first; then the identifier, checked and looked up in the same step."""

    def name(self) -> Text:
        return "validate_eligibility_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return await aside_in("eligibility_form", dispatcher, tracker) or await super().run(dispatcher, tracker, domain)

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        if tracker.get_slot("eligibility_consent") is False:
            return []
        return domain_slots

    async def validate_eligibility_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"eligibility_consent": bool(value)}

    async def validate_eligibility_subject(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = (tracker.latest_message or {}).get("text") or ""
        if latest_intent(tracker) in STOP_INTENTS and find_identifier(text) is None:
            return {"eligibility_subject": None, "eligibility_consent": False}
        outcome = await asyncio.to_thread(dialogue().take_identifier, text)
        for message in outcome.messages:
            dispatcher.utter_message(text=message)
        if not outcome.accepted:
            return {"eligibility_subject": None}
        return {
            "eligibility_subject": outcome.masked,
            "eligibility_found": outcome.found,
            "eligibility_kind": outcome.kind,
        }


class ActionEligibilityResult(Action):
    """After the form: offer the self-check when there is no consent or no record."""

    def name(self) -> Text:
        return "action_eligibility_result"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        talk = dialogue()
        _, benefit = talk.selfcheck_benefit(tracker.get_slot("topic"))
        needed = False
        if tracker.get_slot("eligibility_consent") is False:
            dispatcher.utter_message(text=DECLINED + talk.selfcheck_intro(benefit))
            needed = True
        elif tracker.get_slot("eligibility_found") is False:
            kind = tracker.get_slot("eligibility_kind") or "person"
            masked = tracker.get_slot("eligibility_subject") or ""
            if kind == "person":
                dispatcher.utter_message(text=talk.not_found(masked, kind) + talk.selfcheck_intro(benefit))
                needed = True
            else:
                dispatcher.utter_message(text=talk.not_found(masked, kind))
        return [
            SlotSet("eligibility_consent", None),
            SlotSet("eligibility_subject", None),
            SlotSet("eligibility_found", None),
            SlotSet("eligibility_kind", None),
            SlotSet("form_cancelled", None),
            SlotSet("resume_note", None),
            SlotSet("selfcheck_benefit", benefit.key if needed else None),
            SlotSet("selfcheck_needed", needed),
        ]


class ValidateSelfcheckForm(FormValidationAction):
    """As many yes/no questions as the benefit's conditions have (at most four)."""

    def name(self) -> Text:
        return "validate_selfcheck_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return await aside_in("selfcheck_form", dispatcher, tracker) or await super().run(dispatcher, tracker, domain)

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        _, benefit = dialogue().benefit_by_key(tracker.get_slot("selfcheck_benefit"))
        return SELFCHECK_SLOTS[: len(EligibilityDialogue.questions(benefit))]


def _ask_action(index: int):
    class ActionAskSelfcheck(Action):
        def name(self) -> Text:
            return f"action_ask_selfcheck_q{index + 1}"

        async def run(self, dispatcher, tracker, domain) -> List[EventType]:
            _, benefit = dialogue().benefit_by_key(tracker.get_slot("selfcheck_benefit"))
            dispatcher.utter_message(text=with_resume(tracker, dialogue().selfcheck_question(benefit, index)))
            return [SlotSet("resume_note", None)]

    ActionAskSelfcheck.__name__ = f"ActionAskSelfcheckQ{index + 1}"
    return ActionAskSelfcheck


ActionAskSelfcheckQ1, ActionAskSelfcheckQ2, ActionAskSelfcheckQ3, ActionAskSelfcheckQ4 = (
    _ask_action(i) for i in range(4)
)


class ActionSelfcheckVerdict(Action):
    def name(self) -> Text:
        return "action_selfcheck_verdict"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        talk = dialogue()
        if tracker.get_slot("form_cancelled"):
            return [SlotSet(s, None) for s in SELFCHECK_SLOTS] + [
                SlotSet("selfcheck_benefit", None),
                SlotSet("selfcheck_needed", False),
                SlotSet("form_cancelled", None),
            ]
        notice, benefit = talk.benefit_by_key(tracker.get_slot("selfcheck_benefit"))
        answers: List[Optional[bool]] = [tracker.get_slot(s) for s in SELFCHECK_SLOTS]
        dispatcher.utter_message(text=talk.selfcheck_verdict(notice, benefit, answers))
        return [SlotSet(s, None) for s in SELFCHECK_SLOTS] + [
            SlotSet("selfcheck_benefit", None),
            SlotSet("selfcheck_needed", False),
        ]
