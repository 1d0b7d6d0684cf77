"""Custom actions. They only translate between Rasa and the `bot` package."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.clock import today
from bot.dialogue import CLARIFY_OPENINGS, PolicyDialogue, Turn
from bot.forms import RESUME, Aside, FormGuard
from bot.policy.loader import policy_book
from bot.policy.render import AnswerRenderer
from bot.text.mask import install_masking_filter

install_masking_filter()
logger = logging.getLogger(__name__)


def turn_from_tracker(tracker: Tracker) -> Turn:
    message = tracker.latest_message or {}
    return Turn(
        intent=(message.get("intent") or {}).get("name") or "",
        text=message.get("text") or "",
        entities=message.get("entities") or [],
        region=tracker.get_slot("region"),
        topic=tracker.get_slot("topic"),
        intent_ranking=message.get("intent_ranking") or [],
        benefit=tracker.get_slot("benefit"),
        stated=tracker.get_slot("stated") if isinstance(tracker.get_slot("stated"), dict) else None,
        confidence=float((message.get("intent") or {}).get("confidence") or 0.0),
    )


SORRY = "抱歉，这个问题我这边出了点问题，没能回答。请换个说法再问一次，或拨打12333人社服务热线。"
OUT_OF_SCOPE = "抱歉，这个问题不在我的解答范围内。{coverage}其他问题请拨打12333人社服务热线，或咨询当地有关部门。"


def out_of_scope_text() -> str:
    return OUT_OF_SCOPE.format(coverage=AnswerRenderer(policy_book()).overview_of_coverage())


class ActionAnswerPolicy(Action):
    """Every open turn: answered from policies/*.yml (cited, dated, region- and topic-aware), or
    routed to the form that takes it (`route` slot; the rules start the form)."""

    def name(self) -> Text:
        return "action_answer_policy"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        turn = turn_from_tracker(tracker)
        talk = PolicyDialogue(policy_book())
        try:
            reply = talk.respond(turn, today())
        except Exception:  # a bug must cost the user one answer, never the reply itself
            logger.exception("action_answer_policy: the dialogue failed")
            dispatcher.utter_message(text=SORRY)
            return [SlotSet("route", "answered")]
        events = []
        if reply.unanswered == "nlu_fallback" and previous_message_fell_back(tracker):
            # The second misunderstood message in a row: offer a person instead of guessing again.
            reply.route = "callback_form"
            events.append(SlotSet("handoff_offer", True))
        elif reply.unanswered == "nlu_fallback":
            dispatcher.utter_message(text=talk.clarify(turn.intent_ranking))
        elif reply.unanswered:
            dispatcher.utter_message(text=out_of_scope_text())
        for text in reply.messages:
            dispatcher.utter_message(text=text)
        return events + [
            SlotSet("region", reply.region),
            SlotSet("topic", reply.topic),
            SlotSet("benefit", reply.benefit),
            SlotSet("stated", reply.stated),
            SlotSet("route", reply.route or "answered"),
        ]


async def form_aside(
    dispatcher: CollectingDispatcher, tracker: Tracker, form: str, answered: bool = False
) -> Optional[List[Dict[Text, Any]]]:
    """Inside a form: a cancel, a question or a request for a person is dealt with here (None: the
    message is for the form). The form then ends (cancel) or asks its pending question again."""
    turn = turn_from_tracker(tracker)
    confidence = float(((tracker.latest_message or {}).get("intent") or {}).get("confidence") or 0.0)
    try:
        aside = await asyncio.to_thread(
            FormGuard(policy_book()).check,
            form,
            turn,
            today(),
            answered,
            confidence,
            status_checker(tracker),
            callback_filer(tracker),
        )
    except Exception:  # the form goes on; the user hears that this one message was not understood
        logger.exception("%s: the aside check failed", form)
        aside = Aside([SORRY])
    if aside is None:
        return None
    for text in aside.messages:
        dispatcher.utter_message(text=text)
    if aside.cancel:
        return [SlotSet("form_cancelled", True), SlotSet("requested_slot", None)]
    return [SlotSet("resume_note", RESUME[form]), SlotSet("requested_slot", tracker.get_slot("requested_slot"))]


def status_checker(tracker: Tracker):
    """A complaint's status asked in passing inside another form with its 查询码: the same reply,
    and the same count of wrong codes, as the status check."""

    def check(number: str, code: str) -> str:
        from actions.complaints import service  # the complaint actions own the one service per process
        from bot.complaints.dialogue import status_reply

        return status_reply(number, service().status_for(number, code, tracker.sender_id))

    return check


def callback_filer(tracker: Tracker):
    """Files a callback asked for in passing inside another form, once per message (the key is the
    conversation and the time of the message, like every form's)."""

    def file(phone: str, when: str) -> str:
        from actions.complaints import service
        from bot.complaints.dialogue import callback_receipt, form_key
        from bot.complaints.service import Draft

        started = next((e.get("timestamp") for e in reversed(tracker.events) if e.get("event") == "user"), None)
        key = form_key(tracker.sender_id, "callback_form", started)
        ticket, _ = service().file(key, Draft(phone=phone, callback_time=when), "callback")
        _, code = service().receipt_for(key, ticket.number)
        return callback_receipt(ticket, code)

    return file


def with_resume(tracker: Tracker, text: str) -> str:
    """A form's question; after an aside, on a line that says the form goes on."""
    note = tracker.get_slot("resume_note")
    return f"{note}：{text}" if note else text


def previous_message_fell_back(tracker: Tracker) -> bool:
    """Whether the bot's last reply before this message was a clarifying question (the previous
    message was not understood either; one the NLU was unsure of but was answered does not count)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif event.get("event") == "bot" and seen_user:
            return (event.get("text") or "").startswith(CLARIFY_OPENINGS)
    return False


def prompt_action(action_name: str, text: str):
    """An action that only says `text` (a form's question whose wording lives in `bot`)."""

    class PromptAction(Action):
        def name(self) -> Text:
            return action_name

        async def run(
            self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
        ) -> List[Dict[Text, Any]]:
            dispatcher.utter_message(text=with_resume(tracker, text))
            return [SlotSet("resume_note", None)]

    PromptAction.__name__ = "".join(part.title() for part in action_name.split("_"))
    return PromptAction
