"""Custom actions. They only translate between Rasa and the `bot` package."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.clock import today
from bot.dialogue import PolicyDialogue, Turn
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
    )


class ActionAnswerPolicy(Action):
    """Answers a policy question from policies/*.yml: cited, dated, region-aware."""

    def name(self) -> Text:
        return "action_answer_policy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        reply = PolicyDialogue(policy_book()).respond(turn_from_tracker(tracker), today())
        for text in reply.messages:
            dispatcher.utter_message(text=text)
        return [SlotSet("region", reply.region), SlotSet("topic", reply.topic)]


def previous_message_fell_back(tracker: Tracker) -> bool:
    """Whether the user's message before this one was not understood either."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    if len(users) < 2:
        return False
    intent = ((users[-2].get("parse_data") or {}).get("intent") or {}).get("name")
    return intent == "nlu_fallback"


class ActionClarify(Action):
    """Low NLU confidence: offer the closest topics instead of guessing. The second time in a
    row, offer a callback instead (`handoff_offer` starts the callback form)."""

    def name(self) -> Text:
        return "action_clarify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        turn = turn_from_tracker(tracker)
        if turn.intent == "nlu_fallback" and previous_message_fell_back(tracker):
            return [SlotSet("handoff_offer", True)]
        dispatcher.utter_message(text=PolicyDialogue(policy_book()).clarify(turn.intent_ranking))
        return [SlotSet("handoff_offer", False)]


class ActionOutOfScope(Action):
    """Says what the assistant covers, and where to ask instead."""

    def name(self) -> Text:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        coverage = AnswerRenderer(policy_book()).overview_of_coverage()
        dispatcher.utter_message(
            text=f"抱歉，这个问题不在我的解答范围内。{coverage}其他问题请拨打12333人社服务热线，或咨询当地有关部门。"
        )
        return []


def prompt_action(action_name: str, text: str):
    """An action that only says `text` (a form's question whose wording lives in `bot`)."""

    class PromptAction(Action):
        def name(self) -> Text:
            return action_name

        async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
            dispatcher.utter_message(text=text)
            return []

    PromptAction.__name__ = "".join(part.title() for part in action_name.split("_"))
    return PromptAction
