"""Custom actions. They only translate between Rasa and the `bot` package."""

from __future__ import annotations

import logging
from typing import List

from rasa_sdk.events import EventType, SlotSet

from actions.base import SORRY, BotAction, Replies
from actions.tracker import TrackerView
from bot.clock import today
from bot.dialogue import CLARIFY_OPENINGS, PolicyDialogue
from bot.policy.loader import policy_book
from bot.policy.render import AnswerRenderer
from bot.text.mask import install_masking_filter

install_masking_filter()
logger = logging.getLogger(__name__)

OUT_OF_SCOPE = "抱歉，这个问题不在我的解答范围内。{coverage}其他问题请拨打12333人社服务热线，或咨询当地有关部门。"


def out_of_scope_text() -> str:
    return OUT_OF_SCOPE.format(coverage=AnswerRenderer(policy_book()).overview_of_coverage())


class ActionAnswerPolicy(BotAction):
    """Every open turn: answered from policies/*.yml (cited, dated, region- and topic-aware), or
    routed to the form that takes it (`route` slot; the rules start the form)."""

    action_name = "action_answer_policy"

    async def act(self, say: Replies, view: TrackerView) -> List[EventType]:
        turn = view.turn()
        talk = PolicyDialogue(policy_book())
        try:
            reply = talk.respond(turn, today())
        except Exception:  # a bug must cost the user one answer, never the reply itself
            logger.exception("action_answer_policy: the dialogue failed")
            say(SORRY)
            return [SlotSet("route", "answered")]
        events = []
        if reply.unanswered == "nlu_fallback" and previous_message_fell_back(view):
            # The second misunderstood message in a row: offer a person instead of guessing again.
            reply.route = "callback_form"
            events.append(SlotSet("handoff_offer", True))
        elif reply.unanswered == "nlu_fallback":
            say(talk.clarify(turn.intent_ranking))
        elif reply.unanswered:
            say(out_of_scope_text())
        for text in reply.messages:
            say(text)
        return events + [
            SlotSet("region", reply.region),
            SlotSet("topic", reply.topic),
            SlotSet("benefit", reply.benefit),
            SlotSet("stated", reply.stated),
            SlotSet("route", reply.route or "answered"),
        ]


def previous_message_fell_back(view: TrackerView) -> bool:
    """Whether the bot's last reply before this message was a clarifying question (the previous
    message was not understood either; one the NLU was unsure of but was answered does not count)."""
    return (view.reply_before or "").startswith(CLARIFY_OPENINGS)
