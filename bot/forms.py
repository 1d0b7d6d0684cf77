"""Forms, without Rasa: the one shape every form has, and what every form does with a message that
is not an answer to its question (FormGuard).

Every form is a class with the same four methods (the Form protocol below):

    answered(turn) -> bool | None   does this message answer the pending question? (None: no question
                                    is pending, or the form reads this message itself: no aside check)
    aside(turn, aside) -> FormStep  FormGuard dealt with the message (a cancel, a question, a request
                                    for a person): what the form keeps, what it asks next
    take(turn) -> FormStep          the message as the form's answer: slots, replies, what to ask next
    question(slot, slots) -> str    the question that asks for `slot` (the action_ask_<slot> text)

and, when an action follows the form (the receipt, the verdict), finish(slots) -> FormStep.

A FormTurn is the message and what the form may know of the conversation; a FormStep is the slot
values to set, the texts to say, and the slot to ask for next (None: the form is done). The Rasa
side is the same for every form (actions/forms.py, actions/base.py):

    turn = FormTurn(message, requested=slots["requested_slot"], slots=slots, ...)
    answered = form.answered(turn)
    aside = None if answered is None else FormGuard(book).check(form.name, turn.message, today, answered, ...)
    step = form.aside(turn, aside) if aside else form.take(turn)
    say each of step.messages; set step.slots; requested_slot = step.next_slot

A new form is a new class with these methods (tested without Rasa, like
tests/bot/complaints/test_status_form.py), a `validate_<form>` action naming it and one
`ask_action` per slot (actions/complaints.py: three forms done so).

FormGuard: a form never traps anyone. At any step, "算了/取消/不查了/退出/不用了" ends it (nothing is
filed, what was typed is discarded), a question is answered and the form then asks its pending
question again on a line that starts with "继续…：", and a request for a person or for an
official's contacts gets its own answer. Only what is left is read as the answer to the field.

    guard = FormGuard(book)
    aside = guard.check("complaint_form", turn, today, answered=bool(values_in_message))
    if aside: say aside.messages; aside.cancel ends the form, else ask the pending field again
    (with RESUME[form] before the question: with_resume).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Protocol

from bot.complaints.dialogue import find_callback_time, find_code
from bot.complaints.parsing import parse_phone
from bot.complaints.service import normalize_ticket_number
from bot.dialogue import PolicyDialogue, Turn
from bot.policy.model import PolicyBook
from bot.policy.render import HOTLINE
from bot.text.normalize import normalize
from bot.understanding import asks_official_contact, is_question, wants_person

LABELS = {
    "complaint_form": "欠薪投诉登记",
    "status_form": "投诉进度查询",
    "callback_form": "回电登记",
    "eligibility_form": "资格核查",
    "selfcheck_form": "资格自查",
}
RESUME = {
    "complaint_form": "继续登记",
    "status_form": "继续查询",
    "callback_form": "继续登记回电",
    "eligibility_form": "继续核查",
    "selfcheck_form": "继续自查",
}
_CANCEL = re.compile(
    r"^(?:那|那就|还是|我|俺|哎|唉|嗯)?[，,\s]*(?:取消|算了|不投诉了|不告了|不登记了|不想投诉了|不查了|不用查了|"
    r"不核查了|不自查了|退出|不用了|不需要了|不要了|不弄了|先不(?:投诉|登记|查|弄|办)了?|撤销|不办了|结束|停)"
)
_CANCEL_ANYWHERE = re.compile(r"不投诉了|不想投诉了|不登记了|不查了|退出登记|取消登记|取消投诉|不用登记了|不弄了")
_ASIDE_INTENTS = re.compile(r"^(?:ask_|check_complaint_status|request_human|out_of_scope|bot_challenge)")
STATUS_AFTER = {
    "complaint_form": "查投诉进度请等这次登记完成后对我说“查投诉进度”，提供工单号和查询码；"
    f"也可以拨打{HOTLINE}人社服务热线查询。"
}


STATUS_HELP = (
    f"查进度需要工单号（如 QX-20230115-0007）和登记回执里的6位查询码；忘了的话请拨打{HOTLINE}人社服务热线，"
    "报上姓名和登记时的手机号查询。回复“取消”可退出查询。"
)


def is_cancel(text: str) -> bool:
    flat = normalize(text or "").strip()
    return bool(_CANCEL.match(flat) or _CANCEL_ANYWHERE.search(flat))


def cancel_message(form: str) -> str:
    label = LABELS.get(form, "这次登记")
    lines = [f"好的，已取消{label}，刚才填的信息已丢弃，没有提交任何内容。"]
    if form in ("complaint_form", "status_form"):
        lines.append(
            f"以后想反映欠薪，随时对我说“我要投诉欠薪”；也可以拨打{HOTLINE}人社服务热线，或到当地劳动保障监察机构反映。"
        )
    else:
        lines.append(f"还有其他问题可以直接问我，或拨打{HOTLINE}人社服务热线。")
    return "".join(lines)


@dataclass
class Aside:
    messages: List[str] = field(default_factory=list)
    cancel: bool = False


@dataclass(frozen=True)
class FormTurn:
    """One message to a form, and what the form may know of the conversation."""

    message: Turn  # the message as the policy dialogue reads it: text, intent, confidence, region, …
    requested: Optional[str] = None  # the slot the form asked for last (requested_slot); None: none yet
    slots: Mapping[str, Any] = field(default_factory=dict)  # the conversation's slots now
    filled: Mapping[str, Any] = field(default_factory=dict)  # what domain.yml's slot mappings took from it
    sender: str = ""  # the conversation
    started: Any = None  # when the message was sent: with `sender`, a form instance's idempotency key

    @property
    def text(self) -> str:
        return self.message.text or ""

    @property
    def intent(self) -> str:
        return self.message.intent or ""

    def asked(self, prefix: str) -> Optional[str]:
        """The field asked for without the form's slot prefix (asked("status_") of "status_ticket" is
        "ticket"); None when the slot asked for is not this form's, or none was."""
        slot = self.requested or ""
        return slot[len(prefix) :] if slot.startswith(prefix) else None


@dataclass
class FormStep:
    """What a form does with one message: slots to set, texts to say, the slot to ask next."""

    slots: Dict[str, Any] = field(default_factory=dict)
    messages: List[str] = field(default_factory=list)
    next_slot: Optional[str] = None  # None: the form is done (or was left)


class Form(Protocol):
    """One form's conversation (see the module docstring). `name` is the form in domain.yml."""

    name: str

    def answered(self, turn: FormTurn) -> Optional[bool]: ...

    def aside(self, turn: FormTurn, aside: Aside) -> FormStep: ...

    def take(self, turn: FormTurn) -> FormStep: ...

    def question(self, slot: str, slots: Mapping[str, Any]) -> str: ...


class Finishing(Protocol):
    """A form with an action after it (action_complaint_done, action_selfcheck_verdict, …):
    finish(slots) is what that action says and sets (its next_slot is not used)."""

    def finish(self, slots: Mapping[str, Any]) -> FormStep: ...


def after_aside(form: str, turn: FormTurn, aside: Aside) -> FormStep:
    """What every form does after FormGuard dealt with a message: a cancel ends it (form_cancelled);
    anything else keeps asking the same slot, the question then starting with "继续…："."""
    if aside.cancel:
        return FormStep({"form_cancelled": True}, list(aside.messages), None)
    return FormStep({"resume_note": RESUME[form]}, list(aside.messages), turn.requested)


def with_resume(text: str, note: Optional[str]) -> str:
    """A form's question; after an aside (`note`: the resume_note slot), on a line that says the
    form goes on."""
    return f"{note}：{text}" if note else text


class FormGuard:
    def __init__(self, book: PolicyBook):
        self.dialogue = PolicyDialogue(book)

    def check(
        self,
        form: str,
        turn: Turn,
        today: dt.date,
        answered: bool = False,
        confidence: float = 1.0,
        status: Optional[Callable[[str, str], str]] = None,
        callback: Optional[Callable[[str, str], str]] = None,
    ) -> Optional[Aside]:
        """None when the message is for the form (an answer, or something the form reads itself);
        else what to say. `answered`: the form found a value for a field in the message; `status`:
        the reply to a ticket number and its 查询码, for a status question asked in passing;
        `callback`: files a callback for a phone and a time ("找个人给我回电话，139…，明天上午")."""
        text = normalize(turn.text or "").strip()
        if is_cancel(text):
            return Aside([cancel_message(form)], cancel=True)
        ticket = normalize_ticket_number(text)
        if ticket and status and form != "status_form":
            code = find_code(re.sub(r"QX[-\s]?\d{8}[-\s]?\d{1,4}", " ", text, flags=re.I))
            if code:
                return Aside([status(ticket, code)])
        phone, _ = parse_phone(text)
        if wants_person(text) and form != "callback_form" and phone and callback:
            return Aside([callback(phone, find_callback_time(text) or "随时")])
        if answered:
            return None
        if asks_official_contact(text):
            return Aside(self.dialogue.respond(turn, today).messages)
        if wants_person(text) and form != "callback_form":
            return Aside(
                [
                    f"需要人工服务请拨打{HOTLINE}人社服务热线；也可以等{LABELS[form]}结束后对我说“人工”，"
                    "留下电话由工作人员回电。"
                ]
            )
        if not self._is_aside(form, turn, text, confidence):
            return None
        reply = self.dialogue.respond(turn, today)
        if reply.route == "eligibility_form" and form == "eligibility_form":
            return Aside(["好的，正在为您核查。"])
        if reply.route == "status_form" or turn.intent == "check_complaint_status":
            return Aside(
                [STATUS_AFTER.get(form, f"查投诉进度请拨打{HOTLINE}人社服务热线，或结束当前步骤后对我说“查投诉进度”。")]
            )
        if reply.route == "complaint_form" or (reply.topic == "wage_arrears" and not reply.messages):
            return Aside(self.dialogue.answer_topic("wage_arrears", turn.region, today, text).messages)
        if form == "status_form" and (reply.route or reply.unanswered or not reply.messages):
            return Aside([STATUS_HELP])
        if reply.route or reply.unanswered or not reply.messages:
            return Aside([f"这个问题我先记下，{LABELS[form]}结束后可以再问我；急事请拨打{HOTLINE}人社服务热线。"])
        return Aside(reply.messages)

    @staticmethod
    def _is_aside(form: str, turn: Turn, text: str, confidence: float) -> bool:
        if not is_question(text):
            return False
        return (
            bool(_ASIDE_INTENTS.match(turn.intent or ""))
            or turn.intent in ("ask_followup", "check_eligibility")
            or len(text) >= 8
        )
