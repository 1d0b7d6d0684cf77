"""The wage-arrears complaint form (complaint_form) in the one form shape (bot/forms.py).

The conversation itself is ComplaintIntake's (bot/complaints/dialogue.py: every detail read from
every message, the read-back, corrections, filing once); this adds what the form needs around it:
its idempotency key, which messages are answers, what a cancel discards, the closing receipt.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Callable, Mapping, Optional

from sqlalchemy.exc import SQLAlchemyError

from bot.clock import today as bot_today
from bot.complaints.dialogue import CONFIRM, SLOTS, ComplaintIntake, form_key
from bot.complaints.errors import STORE_DOWN
from bot.complaints.fields import extract
from bot.complaints.service import ComplaintService
from bot.form_shape import Aside, FormStep, FormTurn, after_aside
from bot.policy.model import PolicyBook
from bot.text.normalize import normalize
from bot.understanding import asks_the_bot, is_question, topics_in, wants_person

logger = logging.getLogger(__name__)
KEY_SLOT = "complaint_key"


class ComplaintForm:
    name = "complaint_form"

    def __init__(
        self, service: ComplaintService, book: Optional[PolicyBook] = None, today: Callable[[], dt.date] = bot_today
    ):
        self.service = service
        self.intake = ComplaintIntake(service, book, today)
        self.today = today

    @staticmethod
    def key(turn: FormTurn) -> str:
        """The form instance's idempotency key: kept in a slot once made; made from the conversation
        and the time of the message that opened the form, so a retried call makes the same key."""
        return turn.slots.get(KEY_SLOT) or form_key(turn.sender, ComplaintForm.name, turn.started)

    def answered(self, turn: FormTurn) -> Optional[bool]:
        """Every detail in the message is read (not only the one asked for), so a message answers
        when it names a detail and is not a question; a description may well end in a question of
        its own, so it is taken unless it asks the bot something."""
        asked = turn.asked("complaint_")
        if asked is None:
            return None
        plain = normalize(turn.text)
        if asked == "description":
            asks_policy = asks_the_bot(plain) or (
                is_question(plain) and any(t != "wage_arrears" for t in topics_in(plain))
            )
            return not (
                turn.intent.startswith("ask_")
                or turn.intent in ("check_complaint_status", "request_human")
                or wants_person(plain)
                or asks_policy
            )
        return bool(extract(turn.text, self.today(), asked=None).values) and not is_question(plain)

    def aside(self, turn: FormTurn, aside: Aside) -> FormStep:
        """A cancel discards the draft and every field; anything else keeps them."""
        step = after_aside(self.name, turn, aside)
        if aside.cancel:
            self.service.discard_draft(self.key(turn))
            step.slots.update({slot: None for slot in SLOTS.values()})
            return step
        step.slots = {KEY_SLOT: self.key(turn), **step.slots}
        return step

    def take(self, turn: FormTurn) -> FormStep:
        key = self.key(turn)
        try:
            taken = self.intake.take(key, turn.text, turn.intent, turn.asked("complaint_"))
        except SQLAlchemyError:
            logger.exception("complaint intake: the store failed")
            return FormStep({KEY_SLOT: key}, [STORE_DOWN], turn.requested or SLOTS["name"])
        slots = {KEY_SLOT: key, **taken.slots}
        if taken.outcome:
            slots["complaint_outcome"] = taken.outcome
        return FormStep(slots, list(taken.messages), taken.next_slot)

    @staticmethod
    def question(slot: str, slots: Mapping[str, Any]) -> str:
        """The question for `slot` (complaint_name …), or the read-back at complaint_confirmed."""
        name = slot.removeprefix("complaint_")
        return ComplaintIntake.summary(dict(slots)) if name == CONFIRM else ComplaintIntake.prompt(name, dict(slots))

    def finish(self, slots: Mapping[str, Any]) -> FormStep:
        """After the form: the receipt for a filed ticket, with its 查询码 the first time; the slots
        are cleared for the next one. Only for the ticket this form's key filed: a tracker that
        merely names a ticket number gets nothing."""
        number, key = slots.get("complaint_ticket"), slots.get(KEY_SLOT)
        messages = []
        if slots.get("complaint_outcome") == "filed" and number and key:
            ticket, code = self.service.receipt_for(key, number)
            if ticket is not None:
                messages.append(self.intake.receipt(ticket, slots.get("region"), code))
        cleared = {slot: None for slot in SLOTS.values()}
        cleared.update({KEY_SLOT: None, "complaint_outcome": None, "form_cancelled": None, "resume_note": None})
        return FormStep(cleared, messages)
