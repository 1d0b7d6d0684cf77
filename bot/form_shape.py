"""The one shape every form has, without Rasa (what every form does with a message that is not an
answer to its question is bot.forms.FormGuard). This module imports nothing of the project, so every
form module (bot/complaints/*_form.py, bot/eligibility/forms.py) can import it without a cycle.

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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Protocol

RESUME = {
    "complaint_form": "继续登记",
    "status_form": "继续查询",
    "callback_form": "继续登记回电",
    "eligibility_form": "继续核查",
    "selfcheck_form": "继续自查",
}


@dataclass
class Aside:
    messages: List[str] = field(default_factory=list)
    cancel: bool = False


@dataclass(frozen=True)
class FormTurn:
    """One message to a form, and what the form may know of the conversation."""

    message: Any  # a bot.dialogue.Turn: the message as the policy dialogue reads it (text, intent, region, …)
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
