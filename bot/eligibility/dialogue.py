"""The eligibility conversation, without Rasa: consent, the identifier, the report, the self-check.

The actions in actions/eligibility.py only move these texts and values in and out of the tracker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from bot.eligibility.render import render_report
from bot.eligibility.service import AmbiguousSubjectError, EligibilityService
from bot.identifiers import AMBIGUOUS, FIRM, INVALID, PERSON, classify_subject
from bot.policy.messages import fit_message, referral
from bot.policy.model import Benefit, Notice, PolicyBook
from bot.text.mask import mask_id_number
from bot.text.normalize import normalize

CONSENT_PROMPT = (
    "帮您核查资格需要用到您的身份证号（单位请提供统一社会信用代码），只用于这一次核查，"
    "聊天记录里只保留打码后的号码。您同意吗？（回复“同意”或“不同意”）"
)
SUBJECT_PROMPT = "请输入您的18位身份证号；如果是单位查询，请输入18位统一社会信用代码。回复“算了”可退出。"
DECLINED = "好的，不提供证件号也没关系。"
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])([0-9A-Za-z]{15,20})(?![0-9A-Za-z])")
_PERSON_WORDS = re.compile(r"个人|本人|身份证")
_FIRM_WORDS = re.compile(r"单位|企业|公司|信用代码")
WHICH_KIND = "请在号码前加上“个人”或“单位”后重新发送，例如：单位 9133…"


@dataclass
class SubjectOutcome:
    """What the identifier step produced: replies, and whether the form can move on."""

    messages: List[str]
    accepted: bool  # a valid identifier was given (found or not)
    masked: Optional[str] = None
    found: Optional[bool] = None
    kind: Optional[str] = None


def find_identifier(text: str) -> Optional[str]:
    """The ID number or credit code in a message, as typed (upper-cased), or None."""
    flat = normalize(text or "")
    flat = re.sub(r"(?<=[0-9A-Za-z])[\s-](?=[0-9A-Za-z])", "", flat)
    match = _CANDIDATE.search(flat)
    return match.group(1).upper() if match else None


def kind_hint(text: str) -> Optional[str]:
    """'person' or 'firm' when the message says which (个人/身份证 vs 单位/企业/信用代码), else None."""
    person, firm = bool(_PERSON_WORDS.search(text or "")), bool(_FIRM_WORDS.search(text or ""))
    return None if person == firm else (PERSON if person else FIRM)


def mask_identifier(identifier: str, kind: str) -> str:
    return mask_id_number(identifier) if kind == "person" else identifier


class EligibilityDialogue:
    def __init__(self, book: PolicyBook, service: Optional[EligibilityService] = None):
        self.book = book
        self.service = service or EligibilityService(book=book)

    # ---- the identifier ------------------------------------------------------------------------

    def take_identifier(self, text: str) -> SubjectOutcome:
        identifier = find_identifier(text)
        if identifier is None:
            return SubjectOutcome(["没有找到证件号码。" + SUBJECT_PROMPT], accepted=False)
        subject = classify_subject(identifier)
        if subject.kind == INVALID:
            return SubjectOutcome([subject.message], accepted=False)
        hint = kind_hint(text) if subject.kind == AMBIGUOUS else None
        try:
            report = self.service.check(subject.value, kind=hint)
        except AmbiguousSubjectError:
            report = None
        kind = report.kind if report else (hint if subject.kind == AMBIGUOUS else subject.kind)
        if kind is None:
            return SubjectOutcome([f"{subject.message}{WHICH_KIND}"], accepted=False)
        masked = mask_identifier(subject.value, kind)
        if report is None:
            return SubjectOutcome([], accepted=True, masked=masked, found=False, kind=kind)
        return SubjectOutcome(render_report(report), accepted=True, masked=masked, found=True, kind=kind)

    def not_found(self, masked: str, kind: str) -> str:
        notice = self._personal_notice()
        if kind == "firm":
            return f"系统里暂时没有 {masked} 的记录。包车补贴、招工奖励的核定以人力社保局为准，{referral(notice)}。"
        return f"系统里暂时没有 {masked} 的记录（可能数据尚未导入）。"

    # ---- the self-check -------------------------------------------------------------------------

    def _personal_notice(self) -> Optional[Notice]:
        for notice in self.book.notices:
            if any(b.eligibility and b.eligibility.get("subject") == "person" for b in notice.benefits):
                return notice
        return None

    def selfcheck_benefits(self) -> List[Tuple[Notice, Benefit]]:
        return [
            (n, b)
            for n in self.book.notices
            for b in n.benefits
            if b.eligibility and b.eligibility.get("subject") == "person" and any(c.question for c in b.conditions)
        ]

    def selfcheck_benefit(self, topic: Optional[str]) -> Tuple[Notice, Benefit]:
        """The benefit the user asked about if it has a self-check, else the first (留工补助)."""
        choices = self.selfcheck_benefits()
        for notice, benefit in choices:
            if topic and topic in benefit.topics:
                return notice, benefit
        return choices[0]

    def benefit_by_key(self, key: Optional[str]) -> Tuple[Notice, Benefit]:
        for notice, benefit in self.selfcheck_benefits():
            if benefit.key == key:
                return notice, benefit
        return self.selfcheck_benefits()[0]

    @staticmethod
    def questions(benefit: Benefit) -> List[str]:
        return [c.question for c in benefit.conditions if c.question]

    def selfcheck_intro(self, benefit: Benefit) -> str:
        n = len(self.questions(benefit))
        return f"可以回答{n}个问题，自助判断能否领取{benefit.name}（只作参考，以人力社保局核定为准）。"

    def selfcheck_question(self, benefit: Benefit, index: int) -> str:
        questions = self.questions(benefit)
        return f"（{index + 1}/{len(questions)}）{questions[index]}请回答“是”或“不是”。"

    def selfcheck_verdict(self, notice: Notice, benefit: Benefit, answers: Sequence[Optional[bool]]) -> str:
        asked = [c for c in benefit.conditions if c.question]
        failed = [c for c, a in zip(asked, answers) if a is False]
        unsure = [c for c, a in zip(asked, answers) if a is None]
        cite = notice.cite(benefit.clauses)
        if failed:
            lines = [f"按您的回答，您暂不符合{benefit.name}的条件："]
            lines += [f"✗ 需要满足：{c.text}" for c in failed]
            lines.append(f"如情况有变化或有疑问，{referral(notice)}。")
        elif unsure:
            lines = [f"还有{len(unsure)}个条件没有确认：" + "；".join(c.text for c in unsure)]
            lines.append(f"确认后再来问我，或{referral(notice)}。")
        else:
            amount = f"，标准为{benefit.amount}" if benefit.amount else ""
            lines = [f"按您的回答，您符合{benefit.name}的条件{amount}（以人力社保局核定为准）。"]
            lines.append(
                f"申领方式：{benefit.how_to_claim}"
                if benefit.how_to_claim
                else f"通知未写明申领方式，{referral(notice)}。"
            )
        return fit_message(lines, cite)
