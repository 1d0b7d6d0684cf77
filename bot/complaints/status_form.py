"""The complaint status check (status_form) in the one form shape (bot/forms.py).

The ticket number and its 查询码, from one message or two. Wrong codes are counted in the store (per
ticket and per sender, bot/complaints/status_checks.py), never in a slot: the status_attempts slot
of older trackers is ignored. The form's second slot is still named status_phone4 in domain.yml
(it once took the phone's last four digits); it takes the 查询码.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Optional, Tuple

from bot.complaints.dialogue import (
    STATUS_ASK_CODE,
    STATUS_ASK_NUMBER,
    STATUS_CODE_FORMAT,
    STATUS_FORGOTTEN,
    find_code,
    status_reply,
)
from bot.complaints.service import ComplaintService, normalize_ticket_number
from bot.form_shape import Aside, FormStep, FormTurn, after_aside
from bot.text.normalize import normalize

CODE_STEP = "phone4"  # the field of slot status_phone4: the 查询码
FORGOT = ("忘了", "不记得", "不知道", "找不到", "没有", "丢了")
NO_NUMBER = "没有找到工单号。"
_TICKET = re.compile(r"QX[-\s]?\d{8}[-\s]?\d{1,4}", re.I)


class StatusForm:
    name = "status_form"

    def __init__(self, service: ComplaintService):
        self.service = service

    @staticmethod
    def read(turn: FormTurn) -> Tuple[str, Optional[str], Optional[str], Optional[str]]:
        """(the message normalized, the field asked for, the ticket number in it, the 查询码 in it).
        Six digits are read as a code only when a ticket is known or the code was asked for."""
        text = normalize(turn.text)
        asked = turn.asked("status_")
        number = normalize_ticket_number(text)
        known = (
            number or turn.slots.get("status_ticket") or (turn.slots.get("complaint_ticket") if asked is None else None)
        )
        code = find_code(_TICKET.sub(" ", text)) if (known or asked == CODE_STEP) else None
        return text, asked, number, code

    def answered(self, turn: FormTurn) -> Optional[bool]:
        _, asked, number, code = self.read(turn)
        return None if asked is None else bool(number or code)

    def aside(self, turn: FormTurn, aside: Aside) -> FormStep:
        step = after_aside(self.name, turn, aside)
        if aside.cancel:
            step.slots["status_ticket"] = None
        return step

    def take(self, turn: FormTurn) -> FormStep:
        """Asks for what is missing; with both, checks them (the wrong code counted) and ends."""
        text, asked, number, code = self.read(turn)
        done = FormStep({"status_ticket": None}, [], None)
        if number is None:
            number = turn.slots.get("status_ticket") if asked == CODE_STEP else None
        if number is None and asked is None:
            number = turn.slots.get("complaint_ticket")  # "我的投诉怎么样了" right after filing
        if asked is not None and code is None and any(word in text for word in FORGOT):
            done.messages.append(STATUS_FORGOTTEN)
            return done
        if number is None:
            return FormStep({"status_ticket": None}, [NO_NUMBER] if asked == "ticket" else [], "status_ticket")
        if code is None:
            return FormStep(
                {"status_ticket": number}, [STATUS_CODE_FORMAT] if asked == CODE_STEP else [], "status_phone4"
            )
        done.messages.append(self.answer(number, code, turn.sender))
        return done

    def answer(self, number: str, code: str, sender: str) -> str:
        """The reply to a ticket number and its 查询码 from `sender`: also for a status question asked
        in passing inside another form (FormGuard), with the same count of wrong codes."""
        return status_reply(number, self.service.status_for(number, code, sender))

    @staticmethod
    def question(slot: str, slots: Mapping[str, Any]) -> str:
        if slot == "status_phone4":
            return f"查询工单 {slots.get('status_ticket')}。{STATUS_ASK_CODE}"
        return STATUS_ASK_NUMBER
