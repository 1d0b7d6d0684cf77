"""Forms, without Rasa: what every form does with a message that is not an answer to its question
(FormGuard). The shape every form has (Form, FormTurn, FormStep) is bot.form_shape.

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
from typing import Callable, Optional

from bot.complaints.dialogue import find_callback_time, find_code
from bot.complaints.parsing import parse_phone
from bot.complaints.service import normalize_ticket_number
from bot.dialogue import PolicyDialogue, Turn
from bot.form_shape import RESUME, Aside, Finishing, Form, FormStep, FormTurn, after_aside, with_resume
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


__all__ = [
    "FormGuard",
    "LABELS",
    "RESUME",
    "Aside",
    "Finishing",
    "Form",
    "FormStep",
    "FormTurn",
    "after_aside",
    "with_resume",
    "is_cancel",
    "cancel_message",
]
