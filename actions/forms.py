"""The Rasa side of every form (the forms themselves are in bot: bot/forms.py says how).

    class ValidateStatusForm(FormValidator):
        action_name = "validate_status_form"

        def form(self) -> Form:
            return StatusForm(complaint_service())

validate_<form> hands each message to the form: first FormGuard (a cancel, a question, a request
for a person: FormGuard.check), unless the form says the message is its answer; then the form's
own `take`. The step's texts are said, its slots set, and requested_slot is its next slot.
FormDone does the same for the action that closes a form (the receipt, the verdict).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from abc import abstractmethod
from typing import List, Optional

from rasa_sdk.events import EventType, SlotSet

from actions.base import SORRY, BotAction, Replies, complaint_service
from actions.tracker import TrackerView
from bot.clock import today
from bot.complaints.callback_form import CallbackForm
from bot.complaints.status_form import StatusForm
from bot.forms import Aside, Finishing, Form, FormGuard, FormStep
from bot.policy.loader import policy_book

logger = logging.getLogger(__name__)


def step_events(say: Replies, step: FormStep) -> List[EventType]:
    """Says the step's texts; its slots as events (requested_slot not among them)."""
    for text in step.messages:
        say(text)
    return [SlotSet(slot, value) for slot, value in step.slots.items()]


def in_passing_status(sender: str, number: str, code: str) -> str:
    return StatusForm(complaint_service()).answer(number, code, sender)


def in_passing_callback(view: TrackerView, phone: str, when: str) -> str:
    return CallbackForm(complaint_service()).file_in_passing(view.sender, view.started, phone, when)


async def check_aside(form: str, view: TrackerView, answered: bool) -> Optional[Aside]:
    """FormGuard on the message (None: it is for the form). A status question with its 查询码 or a
    callback with a phone asked in passing are answered here, in the one queue."""
    try:
        return await asyncio.to_thread(
            FormGuard(policy_book()).check,
            form,
            view.turn(),
            today(),
            answered,
            view.confidence,
            functools.partial(in_passing_status, view.sender),
            functools.partial(in_passing_callback, view),
        )
    except Exception:  # the form goes on; the user hears that this one message was not understood
        logger.exception("%s: the aside check failed", form)
        return Aside([SORRY])


class FormValidator(BotAction):
    """validate_<form>: the form's step for this message (see the module docstring)."""

    @abstractmethod
    def form(self) -> Form:
        """The form (bot), made for this message."""

    async def act(self, say: Replies, view: TrackerView) -> List[EventType]:
        form = self.form()
        turn = view.form_turn()
        answered = form.answered(turn)
        aside = None if answered is None else await check_aside(form.name, view, answered)
        if aside is not None:
            step = await asyncio.to_thread(form.aside, turn, aside)
        else:
            step = await asyncio.to_thread(form.take, turn)
        return step_events(say, step) + [SlotSet("requested_slot", step.next_slot)]


class FormDone(BotAction):
    """The action after a form (action_complaint_done, …): the form's `finish` step."""

    @abstractmethod
    def form(self) -> Finishing:
        """The form (bot), made for this message."""

    async def act(self, say: Replies, view: TrackerView) -> List[EventType]:
        return step_events(say, await asyncio.to_thread(self.form().finish, view.slots))
