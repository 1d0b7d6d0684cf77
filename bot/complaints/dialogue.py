"""The complaint, status and callback conversations, without Rasa.

The actions in actions/complaints.py pass in the message and the field the bot asked for, and
send back the slot values and texts these return. Slots only hold what may be shown (the phone
masked); the full values wait in the store's draft under the form's idempotency key until filing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import yaml

from bot.clock import today as bot_today
from bot.complaints.draft import FIELDS, LABELS, NOT_GIVEN, merge, months_text, note_skipped
from bot.complaints.fields import Extracted, extract, extract_correction
from bot.complaints.service import (
    CODE_DIGITS,
    ComplaintService,
    Draft,
    StatusCheck,
    TicketError,
    TicketView,
)
from bot.policy.model import PolicyBook
from bot.policy.render import HOTLINE, fit_message
from bot.text.mask import mask_data, mask_phone, mask_text
from bot.text.normalize import normalize

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "service.yml"
CONFIRM = "confirmed"
SLOTS = {name: f"complaint_{name}" for name in (*FIELDS, CONFIRM)}
_CANCEL = re.compile(
    r"^(?:那就|那|还是|我)?(?:(?:取消|算了|不投诉了|不登记了|不用登记了|不想投诉了|不弄了|退出|先不投诉了|"
    r"撤销|不告了)(?:吧|了|登记|投诉)*[，,。.!！\s]*)+$"
)
_YES = re.compile(
    r"^(?:确认|确定|对|对的|是的|是|没错|没问题|正确|提交|可以|好|好的|行|嗯|没有问题|确认提交|确认无误|无误)"
    r"(?:的|了|吧|啊|呀)?[，,。.!！]*(?:提交|确认)?(?:吧)?[。.!！]*$"
)
_SUBMIT = re.compile(r"提交|确认|没问题|没有问题|没错|都对|对的|就这样|可以了|无误")
_NEGATED = re.compile(r"不对|不是|错了|有误|写错|改|不要提交|别提交|先别")
_CORRECTING = re.compile(r"写错|错了|不对|改成|改为|应该是|应为|更正|搞错")


@lru_cache(maxsize=1)
def settings() -> Dict[str, Any]:
    return yaml.safe_load(SETTINGS_FILE.read_text(encoding="utf-8")) or {}


def form_key(sender_id: str, form: str, started_at: Any) -> str:
    """The idempotency key of one form instance: the conversation, the form, and the time of the
    message that started it. Base32 letters and 2-7 only, so no masking rule ever touches it."""
    digest = hashlib.sha256(f"{sender_id}|{form}|{started_at}".encode()).digest()
    return base64.b32encode(digest).decode().rstrip("=")[:40]


def display(draft: Draft) -> Dict[str, Optional[str]]:
    """Slot values for the chat: what may be shown back to the user (the read-back quotes them),
    every phone and ID number in them masked, however it was typed."""

    def given(name: str, value: Optional[str]) -> Optional[str]:
        if value:
            return value
        return NOT_GIVEN if name in draft.skipped else None

    employer = draft.firm_name
    if employer and draft.firm_credit_code:
        employer = f"{employer}（已匹配登记企业）"
    months = (
        months_text(draft.months, draft.months_count) if draft.months or draft.months_count else given("months", None)
    )
    return mask_data(
        {
            SLOTS["name"]: draft.name,
            SLOTS["phone"]: mask_phone(draft.phone) if draft.phone else None,
            SLOTS["employer"]: employer,
            SLOTS["site"]: given("site", draft.work_site),
            SLOTS["amount"]: given("amount", draft.amount_text),
            SLOTS["months"]: months,
            SLOTS["workers"]: f"{draft.workers}人" if draft.workers else None,
            SLOTS["description"]: given("description", draft.description),
        }
    )


@dataclass
class IntakeStep:
    slots: Dict[str, Any]
    messages: List[str] = field(default_factory=list)
    next_slot: Optional[str] = None  # the slot to ask next; None ends the form
    outcome: Optional[str] = None  # "filed" | "cancelled" when the form ends
    ticket: Optional[TicketView] = None


PROMPTS = {
    "name": "请问您怎么称呼？请回复您的姓名。",
    "phone": "请留一个能联系到您的11位手机号，工作人员会用它联系您（聊天记录里只保留打码后的号码）。",
    "employer": "欠您工资的是哪家单位？请说单位名称，例如“某某水产有限公司”；不知道全称，说老板或包工头的名字也可以。",
    "site": "您在哪个工地、项目或地点干活？不清楚可回复“跳过”。",
    "amount": "一共被欠了多少钱？例如“一万二”“12000元”或“每月4000，欠了3个月”。不清楚可回复“跳过”。",
    "months": "欠的是哪几个月的工资？例如“去年10月到12月”。不清楚可回复“跳过”。",
    "workers": "一共有多少人被欠薪？只有您一人请回复“1”。",
    "description": "请简单说说情况，例如老板是否联系不上、有没有欠条或考勤记录；没有要补充的请回复“没有”。",
}
INTRO = "好的，我来帮您登记欠薪投诉，提交后由工作人员跟进处理。回复“取消”可随时退出。"


class ComplaintIntake:
    """Collects the complaint, reads it back, takes corrections, files it once."""

    def __init__(
        self, service: ComplaintService, book: Optional[PolicyBook] = None, today: Callable[[], dt.date] = bot_today
    ):
        self.service = service
        self.book = book
        self.today = today

    # ---- one user turn inside the form -----------------------------------------------------

    def take(self, key: str, text: str, intent: str = "", asked: Optional[str] = None) -> IntakeStep:
        """`asked` is the field the bot asked for ("name" … "description", "confirmed"), or None
        on the turn that opened the form."""
        draft = self.service.load_draft(key)
        plain = normalize(text or "").strip()
        if _CANCEL.match(plain) or intent == "goodbye":
            self.service.discard_draft(key)
            return IntakeStep(
                self._cleared(),
                [f"好的，已取消这次登记，没有提交任何信息。需要时可以随时再来登记，或拨打{HOTLINE}人社服务热线。"],
                None,
                "cancelled",
            )
        if asked == CONFIRM:
            return self._confirm(key, draft, text, plain, intent)
        if asked and _CORRECTING.search(plain):
            correction = extract_correction(text, self.today())
            if correction.values:
                self._merge(draft, correction)
                self.service.save_draft(key, draft)
                changed = "、".join(LABELS[name] for name in correction.values)
                return IntakeStep(display(draft), [f"已修改：{changed}。"], self._next(draft))

        found = extract(text, self.today(), asked=asked)
        messages: List[str] = []
        if found.problem and asked:
            messages.append(found.problem)
        if asked is None and len(found.values) >= 2:
            found.values.setdefault("description", mask_text(text.strip())[:500])
        elif asked == "description" and "description" in found.values and found.values["description"] != NOT_GIVEN:
            found.values["description"] = mask_text(text.strip())[:500]
        self._merge(draft, found)
        self.service.save_draft(key, draft)
        if asked is None:  # the form opens: say what happens and how to leave, once
            messages.insert(0, INTRO)
        return IntakeStep(display(draft), messages, self._next(draft))

    def _confirm(self, key: str, draft: Draft, text: str, plain: str, intent: str) -> IntakeStep:
        correction = extract_correction(text, self.today())
        if correction.values:
            self._merge(draft, correction)
            self.service.save_draft(key, draft)
            changed = "、".join(LABELS[name] for name in correction.values)
            return IntakeStep({**display(draft), SLOTS[CONFIRM]: None}, [f"已修改：{changed}。"], self._next(draft))
        if correction.problem:
            return IntakeStep({SLOTS[CONFIRM]: None}, [correction.problem], SLOTS[CONFIRM])
        if (
            _YES.match(plain)
            or (intent == "affirm" and len(plain) <= 12)
            or (_SUBMIT.search(plain) and not _NEGATED.search(plain))
        ):
            try:
                ticket, _ = self.service.file(key, kind="complaint")
            except TicketError as exc:
                if exc.retryable:  # nothing filed, the draft is kept: the user can confirm again
                    return IntakeStep({SLOTS[CONFIRM]: None}, [f"{exc}。"], SLOTS[CONFIRM])
                self.service.discard_draft(key)
                return IntakeStep(self._cleared(), [f"{exc}，请重新开始登记。"], None, "cancelled")
            return IntakeStep({SLOTS[CONFIRM]: True, "complaint_ticket": ticket.number}, [], None, "filed", ticket)
        return IntakeStep(
            {SLOTS[CONFIRM]: None},
            ["请问哪一项需要修改？请直接说，例如“电话写错了，是139……”；信息无误请回复“确认”，放弃登记请回复“取消”。"],
            SLOTS[CONFIRM],
        )

    def draft_from_text(self, text: str) -> Draft:
        """A new draft with every detail one message names, as the chat reads its first message
        (the console pre-fills its intake form this way). The description is the text, masked."""
        draft = Draft()
        found = extract(text, self.today())
        found.values.setdefault("description", mask_text((text or "").strip())[:500])
        self._merge(draft, found)
        return draft

    def _merge(self, draft: Draft, found: Extracted) -> None:
        """The chat's values into the draft through the one draft model (bot/complaints/draft.py)."""
        given = note_skipped(draft, found.values)
        merge(draft, given, self.service.match_firm, cannot_go_home=found.cannot_go_home)

    @staticmethod
    def _next(draft: Draft) -> str:
        shown = display(draft)
        for name in FIELDS:
            if not shown[SLOTS[name]]:
                return SLOTS[name]
        return SLOTS[CONFIRM]

    @staticmethod
    def _cleared() -> Dict[str, Any]:
        return {slot: None for slot in SLOTS.values()}

    # ---- what the bot says -----------------------------------------------------------------

    @staticmethod
    def prompt(name: str, slots: Dict[str, Any]) -> str:
        return PROMPTS[name]

    @staticmethod
    def summary(slots: Dict[str, Any]) -> str:
        lines = ["请核对您的投诉信息："]
        lines += [f"{LABELS[name]}：{slots.get(SLOTS[name]) or NOT_GIVEN}" for name in FIELDS]
        lines.append("无误请回复“确认”提交；要修改请直接说，例如“电话写错了，是139……”；放弃请回复“取消”。")
        return "\n".join(lines)

    def receipt(self, ticket: TicketView, region_key: Optional[str] = None, code: Optional[str] = None) -> str:
        """`code`: the 查询码, given only with the first receipt of the ticket."""
        config = settings().get("complaints", {})
        channels = "；".join(config.get("public_channels") or [f"{HOTLINE}人社服务热线"])
        body = [f"您的欠薪投诉已登记，工单号：{ticket.number}。", code_line(code)]
        if ticket.urgent:
            body.append(f"已标记为紧急（{ticket.urgent_reason}），{config.get('urgent_response_time', '将优先处理')}。")
        body.append(
            f"下一步：工作人员会通过您登记的电话 {ticket.phone_masked} 与您联系核实，"
            f"{config.get('response_time', '请保持电话畅通')}。请保存好工资欠条、考勤、转账记录等证据。"
        )
        body.append("查询进度：对我说“查投诉进度”，提供工单号和查询码即可。")
        body.append(f"也可以通过这些公开渠道反映：{channels}。")
        return fit_message(body, self.citation(region_key))

    def citation(self, region_key: Optional[str]) -> str:
        """The clauses that promise a wage-arrears channel, from the policy data."""
        if self.book is None:
            return ""
        notices = [self.book.notice_for_region(region_key)] if region_key else list(self.book.notices)
        cites = []
        for notice in notices:
            if notice is None:
                continue
            for benefit in notice.benefits_for("wage_arrears"):
                cites.append(notice.cite(benefit.clauses))
        return "".join(dict.fromkeys(cites))


# ---- status --------------------------------------------------------------------------------

STATUS_ASK_NUMBER = "请提供工单号，例如 QX-20230115-0007。工单号忘了的话，请拨打12333人社服务热线查询。"
STATUS_ASK_CODE = (
    f"为保护您的信息，请回复登记回执里的{CODE_DIGITS}位查询码。没有或忘了查询码，请拨打{HOTLINE}"
    "人社服务热线，由工作人员核实身份后查询。"
)
STATUS_CODE_FORMAT = (
    f"查询码是登记回执里的{CODE_DIGITS}位数字（不是手机尾号）。没有或忘了查询码，请拨打{HOTLINE}人社服务热线查询。"
)
STATUS_FORGOTTEN = f"工单号或查询码忘了的话，请拨打{HOTLINE}人社服务热线，报上姓名和登记时的手机号查询。"
STATUS_LOCKED = (
    f"查询码错误次数过多，为保护您的信息，自助查询已暂停。请拨打{HOTLINE}人社服务热线，"
    "或对我说“人工”，由工作人员核实身份后告知进度。"
)


def code_line(code: Optional[str]) -> str:
    """The receipt's line about the 查询码: the code itself only in the first receipt."""
    if code:
        return f"查询码：{code}（查进度时需要，请保存；忘了请拨打{HOTLINE}）。"
    return f"查询码已在首次回执中给出；忘了请拨打{HOTLINE}人社服务热线查询。"


def find_code(text: str) -> Optional[str]:
    """A 查询码 in a message: six digits standing alone (not part of a phone, a date or a number)."""
    match = re.search(rf"(?<!\d)(\d{{{CODE_DIGITS}}})(?!\d)", normalize(text or ""))
    return match.group(1) if match else None


def status_reply(number: str, check: StatusCheck) -> str:
    if check.locked:
        return STATUS_LOCKED
    answer = check.answer
    if answer is None:
        return (
            f"没有查到与工单号 {number} 和这个查询码相符的记录。请核对工单号和{CODE_DIGITS}位查询码再试；"
            f"没有或忘了查询码，请拨打{HOTLINE}人社服务热线查询，或对我说“人工”安排回电。"
        )
    kind = "欠薪投诉" if answer.kind == "complaint" else "回电请求"
    text = (
        f"您的{kind} {answer.number}（{answer.filed_on:%Y-%m-%d}登记）"
        f"当前状态：{answer.status}，更新于{answer.updated_at}。"
    )
    if answer.latest_note:
        text += f"最新处理意见：{answer.latest_note}"
    else:
        text += "工作人员尚未填写处理意见，请耐心等待联系。"
    return text


# ---- callbacks -----------------------------------------------------------------------------

CALLBACK_OFFER = (
    f"需要人工服务的话，可以拨打{HOTLINE}人社服务热线；也可以留下电话，由工作人员给您回电。"
    "需要安排回电吗？（回复“需要”或“不用”）"
)
CALLBACK_ASK_PHONE = "请留下接听回电的11位手机号（聊天记录里只保留打码后的号码）。"
CALLBACK_ASK_TIME = "您希望什么时间接到回电？例如“明天上午”“工作日下午3点后”，都可以的话回复“随时”。"
CALLBACK_DECLINED = f"好的。需要人工服务时请拨打{HOTLINE}人社服务热线。还有其他想了解的吗？"


def callback_receipt(ticket: TicketView, code: Optional[str] = None) -> str:
    """`code`: the 查询码, given only with the first receipt of the ticket."""
    config = settings().get("callbacks", {})
    return (
        f"已登记回电请求，编号：{ticket.number}。{code_line(code)}"
        f"工作人员{config.get('response_time', '会尽快回电')}"
        f"（您希望的时间：{ticket.callback_time or '随时'}），将拨打 {ticket.phone_masked}。"
        f"急事请直接拨打{HOTLINE}人社服务热线。"
    )


_WHEN = re.compile(
    r"(?:今天|明天|后天|大后天|周[一二三四五六日天]|星期[一二三四五六日天]|工作日|这周|下周)?\s*"
    r"(?:上午|下午|中午|晚上|早上|傍晚|白天)?\s*(?:\d{1,2}(?:点|:\d{2})(?:半|以后|之后|后|前|以前)?)?"
    r"(?:都在|都行|都可以|有空|方便)?"
)


def find_callback_time(text: str) -> Optional[str]:
    """ "…号码是139…，明天上午都在" → "明天上午都在"; None when no time is named."""
    flat = normalize(text or "")
    if re.search(r"随时|什么时候都行|都可以", flat):
        return "随时"
    best = max((m.group(0).strip() for m in _WHEN.finditer(flat)), key=len, default="")
    return mask_text(best) if len(best) >= 2 else None


def callback_time(text: str) -> Optional[str]:
    value = (text or "").strip(" 。.!！")
    if not value or len(value) > 50:
        return None
    if re.fullmatch(r"随时|都行|都可以|什么时候都行|都可", value):
        return "随时"
    return mask_text(value)
