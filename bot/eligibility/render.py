"""Eligibility reports as chat replies (WeChat-sized) and as CLI text. ID numbers are masked."""

from __future__ import annotations

from typing import List

from bot.eligibility.engine import (
    DECISION_UNKNOWN,
    ELIGIBLE,
    NOT_ELIGIBLE,
    STATUS_MARKS,
    BenefitDecision,
    EligibilityReport,
)
from bot.eligibility.rules import MET, NOT_MET, UNKNOWN, _yuan
from bot.policy.messages import HOTLINE, fit_message
from bot.text.mask import mask_id_number, mask_name

DECISION_MARKS = {ELIGIBLE: "✅ 符合条件", NOT_ELIGIBLE: "❌ 不符合条件", DECISION_UNKNOWN: "❓ 待核实"}


def _amount_text(decision: BenefitDecision) -> str:
    if decision.decision != ELIGIBLE:
        return ""
    if decision.amount is not None:
        return f"，{_yuan(decision.amount)}"
    return f"，{decision.amount_text}" if decision.amount_text else ""


def _reasons(decision: BenefitDecision, detailed: bool) -> List[str]:
    if detailed:
        return [f"   {STATUS_MARKS[c.status]} {c.explanation}（{c.clause}）" for c in decision.conditions]
    wanted = NOT_MET if decision.decision == NOT_ELIGIBLE else UNKNOWN if decision.decision == DECISION_UNKNOWN else MET
    seen, lines = set(), []
    for c in decision.conditions:
        if c.status == wanted and c.explanation not in seen:
            seen.add(c.explanation)
            lines.append(f"   · {c.explanation}")
    return lines[:3]


def subject_line(report: EligibilityReport) -> str:
    if report.kind == "person":
        name = mask_name(report.name)
        return f"{name}（身份证 {mask_id_number(report.subject_id)}）的核查结果："
    return f"{report.name}（{report.subject_id}）的核查结果："


def next_steps(report: EligibilityReport) -> List[str]:
    """What to do next, from the policy data only: how to claim, or where to ask."""
    steps, said = [], set()
    for d in report.benefits:
        if d.decision == NOT_ELIGIBLE:
            continue
        if d.decision == ELIGIBLE and d.how_to_claim:
            step = f"{d.name}：{d.how_to_claim}"
        elif d.decision == ELIGIBLE:
            step = f"{d.name}：通知未写明申领方式和材料，{d.referral}。"
        else:
            step = f"{d.name}：缺少记录，请按上面的提示补充，或{d.referral}。"
        if step not in said:
            said.add(step)
            steps.append(step)
    if not steps:
        referrals = sorted({d.referral for d in report.benefits})
        steps.append(f"如对核查结果有疑问，{'；'.join(referrals) or '请拨打' + HOTLINE}。")
    return steps


def render_report(report: EligibilityReport, detailed: bool = False) -> List[str]:
    """One message for the benefits, then one for the employer summary (firms) and next steps."""
    lines = [subject_line(report)]
    for decision in report.benefits:
        lines.append(f"{DECISION_MARKS[decision.decision]}：{decision.name}{_amount_text(decision)}")
        lines.extend(_reasons(decision, detailed))
        if report.kind == "firm" and (decision.paid or decision.cap_left is not None):
            left = f"，剩余额度{_yuan(decision.cap_left)}" if decision.cap_left is not None else ""
            lines.append(f"   · 已发放{_yuan(decision.paid)}{left}")
        if not detailed:
            lines.append(f"   {decision.citation}")
    messages = [fit_message(lines)]
    extra: List[str] = []
    for w in report.workforce:
        extra.append(
            f"本单位员工{w.name}：{w.workers}人在册，{w.eligible}人符合条件，合计{_yuan(w.total)}"
            + (f"，{w.unknown}人待核实" if w.unknown else "")
            + "。"
        )
        if w.how_to_claim:
            extra.append(w.how_to_claim)
    extra.append("下一步：")
    extra.extend(next_steps(report))
    messages.append(fit_message(extra))
    return messages
