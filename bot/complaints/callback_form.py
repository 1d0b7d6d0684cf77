"""The callback request (callback_form) in the one form shape (bot/forms.py).

Offered on a request for a person (or after two misunderstood messages in a row); then a phone
and a time, filed as an HD- ticket in the complaint queue. The full phone waits in the store's
draft under the form's idempotency key; the slot holds it masked.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping, Optional, Tuple

from sqlalchemy.exc import SQLAlchemyError

from bot.complaints.dialogue import (
    CALLBACK_ASK_PHONE,
    CALLBACK_ASK_TIME,
    CALLBACK_DECLINED,
    CALLBACK_OFFER,
    callback_receipt,
    callback_time,
    find_callback_time,
    form_key,
)
from bot.complaints.errors import STORE_DOWN, TicketError
from bot.complaints.parsing import parse_phone
from bot.complaints.service import ComplaintService, Draft
from bot.form_shape import Aside, FormStep, FormTurn, after_aside
from bot.text.mask import mask_phone
from bot.text.normalize import normalize
from bot.understanding import is_question

logger = logging.getLogger(__name__)
KEY_SLOT = "callback_key"
NO_WORDS = ("不用", "不需要", "不要", "算了", "不必")
YES_WORDS = ("需要", "要", "好", "可以", "行", "麻烦")
WANTED_OR_NOT = "请回复“需要”或“不用”。"
TIME_FORMAT = "请简单说一个时间，例如“明天上午”，50字以内。"
STILL_NOT_UNDERSTOOD = "抱歉，我还是没能理解您的问题。"  # before the offer after two misunderstood messages
SLOTS = ("callback_wanted", "callback_phone", "callback_time", KEY_SLOT, "callback_ticket")


def says_no(turn: FormTurn, text: str) -> bool:
    return turn.intent in ("deny", "goodbye") or any(word in text for word in NO_WORDS)


class CallbackForm:
    name = "callback_form"

    def __init__(self, service: ComplaintService):
        self.service = service

    @staticmethod
    def key(turn: FormTurn) -> str:
        """The form instance's idempotency key (like the complaint form's)."""
        return turn.slots.get(KEY_SLOT) or form_key(turn.sender, CallbackForm.name, turn.started)

    @staticmethod
    def read(turn: FormTurn) -> Tuple[str, Optional[str], Optional[str], str]:
        """(the message normalized, the field asked for, the phone in it, why there is none)."""
        text = normalize(turn.text).strip()
        phone, problem = parse_phone(text)
        return text, turn.asked("callback_"), phone, problem

    def answered(self, turn: FormTurn) -> Optional[bool]:
        """At the offer itself "不用了" is the answer "no", not a cancel: no aside check then."""
        text, asked, phone, _ = self.read(turn)
        if asked is None or (asked == "wanted" and says_no(turn, text)):
            return None
        timed = asked == "time" and callback_time(turn.text) is not None and not is_question(text)
        return bool(phone) or timed

    def aside(self, turn: FormTurn, aside: Aside) -> FormStep:
        step = after_aside(self.name, turn, aside)
        step.slots = {KEY_SLOT: self.key(turn), **step.slots}
        if aside.cancel:
            step.slots["callback_wanted"] = "cancelled"
        return step

    def take(self, turn: FormTurn) -> FormStep:
        key = self.key(turn)
        text, asked, phone, problem = self.read(turn)
        step = FormStep({KEY_SLOT: key})
        if asked is None:  # opened by request_human or by repeated fallbacks: offer, unless a phone came along
            if not phone:
                return self._next(step, "callback_wanted")
            asked = "phone"  # "找个人给俺回电话，号码是139…，明天上午都在": filed from this message
        if asked == "wanted":
            if phone:
                asked = "phone"
            elif says_no(turn, text):
                return self._next(step, None, callback_wanted=False)
            elif turn.intent == "affirm" or any(word in text for word in YES_WORDS):
                return self._next(step, "callback_phone", callback_wanted=True)
            else:
                step.messages.append(WANTED_OR_NOT)
                return self._next(step, "callback_wanted")
        try:
            if asked == "phone":
                return self._phone(step, key, turn.text, phone, problem)
            when = callback_time(turn.text)
            if when is None:
                step.messages.append(TIME_FORMAT)
                return self._next(step, "callback_time")
            ticket = self._file(key, when)
        except TicketError as exc:
            step.messages.append(f"{exc}。")
            return self._next(step, "callback_phone")
        except SQLAlchemyError:
            logger.exception("callback: the store failed")
            step.messages.append(STORE_DOWN)
            return self._next(step, turn.requested)
        return self._next(step, None, callback_time=when, callback_ticket=ticket)

    def _phone(self, step: FormStep, key: str, raw: str, phone: Optional[str], problem: str) -> FormStep:
        """The phone; with a time in the same message ("…139…，明天上午都在"), filed at once."""
        if not phone:
            step.messages.append(f"{problem}。")
            return self._next(step, "callback_phone", callback_wanted=True)
        self.service.save_draft(key, Draft(phone=phone))
        when = find_callback_time(raw)
        if when is None:
            return self._next(step, "callback_time", callback_wanted=True, callback_phone=mask_phone(phone))
        ticket = self._file(key, when)
        return self._next(
            step,
            None,
            callback_wanted=True,
            callback_phone=mask_phone(phone),
            callback_time=when,
            callback_ticket=ticket,
        )

    def _file(self, key: str, when: str) -> str:
        """Files the draft under `key` with the time: the ticket number."""
        draft = self.service.load_draft(key)
        draft.callback_time = when
        ticket, _ = self.service.file(key, draft, "callback")
        return ticket.number

    @staticmethod
    def _next(step: FormStep, next_slot: Optional[str], **slots: Any) -> FormStep:
        step.slots.update(slots)
        step.next_slot = next_slot
        return step

    def file_in_passing(self, sender: str, started: Any, phone: str, when: str) -> str:
        """Files a callback asked for in passing inside another form (FormGuard), once per message
        (the key is the conversation and the time of the message, like every form's): the receipt."""
        key = form_key(sender, self.name, started)
        ticket, _ = self.service.file(key, Draft(phone=phone, callback_time=when), "callback")
        _, code = self.service.receipt_for(key, ticket.number)
        return callback_receipt(ticket, code)

    @staticmethod
    def question(slot: str, slots: Mapping[str, Any]) -> str:
        if slot == "callback_wanted":
            return (STILL_NOT_UNDERSTOOD if slots.get("handoff_offer") else "") + CALLBACK_OFFER
        return CALLBACK_ASK_PHONE if slot == "callback_phone" else CALLBACK_ASK_TIME

    def finish(self, slots: Mapping[str, Any]) -> FormStep:
        """The receipt of a callback request, with its 查询码 the first time; only for the ticket this
        form's key filed (like the complaint form's). Declined: the hotline; cancelled: nothing."""
        number, key = slots.get("callback_ticket"), slots.get(KEY_SLOT)
        ticket, code = self.service.receipt_for(key, number) if number and key else (None, None)
        messages = []
        if ticket or slots.get("callback_wanted") != "cancelled":
            messages.append(callback_receipt(ticket, code) if ticket else CALLBACK_DECLINED)
        cleared = {slot: None for slot in SLOTS}
        cleared.update({"handoff_offer": False, "form_cancelled": None, "resume_note": None})
        return FormStep(cleared, messages)
