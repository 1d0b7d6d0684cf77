"""The reply to a condition question ("从宁波接的算不算", "只招到4个人能拿吗", "车费一共6万呢"):
the verdict on what the user said, each condition with its status, the calculation where the
notice gives a rule, and the clause. Figures come from the benefit's data (share, per-head amount,
cap, thresholds), never from here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import List, Optional

from bot.eligibility.rules import MET, NOT_MET, UNKNOWN
from bot.eligibility.stated import Statements, out_of_range_note
from bot.eligibility.stated_rules import ConditionResult, verdict
from bot.policy.messages import describe_window, fit_message, referral
from bot.policy.model import Benefit, Notice

MARKS = {MET: "✓", NOT_MET: "✗", UNKNOWN: "？"}


def yuan(value: Decimal) -> str:
    """30000 → "30000元（3万元）"; 4000 → "4000元"."""
    value = value.quantize(Decimal("0.01"))
    plain = f"{value:f}".rstrip("0").rstrip(".")
    if value >= 10000:
        wan = f"{value / 10000:f}".rstrip("0").rstrip(".")
        return f"{plain}元（{wan}万元）"
    return f"{plain}元"


@dataclass
class Calculation:
    text: str
    amount: Decimal


def _param(benefit: Benefit, rule: str, name: str) -> Optional[int]:
    for condition in benefit.conditions:
        if condition.check and condition.check.get("rule") == rule and name in condition.check:
            return int(condition.check[name])
    return None


def calculate(benefit: Benefit, st: Statements, results: List[ConditionResult]) -> Optional[Calculation]:
    """The notice's amount rule applied to the stated cost or head count (None: nothing to apply)."""
    rule = (benefit.eligibility or {}).get("amount")
    cap = Decimal(str(benefit.cap_yuan)) if benefit.cap_yuan else None
    if rule == "fixed" and st.headcount and benefit.amount_yuan:
        per = Decimal(str(benefit.amount_yuan))
        return Calculation(
            f"测算：{st.headcount}人×{yuan(per)}={yuan(per * st.headcount)}（{benefit.amount}）。", per * st.headcount
        )
    if rule == "cost_share" and st.cost_yuan is not None:
        share = Decimal(str(benefit.eligibility.get("share", 0)))
        raw = st.cost_yuan * share
        line = f"测算：包车费用{yuan(st.cost_yuan)}×{share * 100:.0f}%={yuan(raw)}"
    elif rule == "per_recruit" and st.recruits is not None and benefit.amount_yuan:
        per = Decimal(str(benefit.amount_yuan))
        counted = st.recruits - (st.not_first_count or 0)
        least = _param(benefit, "placement_min_count", "min")
        if least and counted < least:
            return Calculation(
                f"符合条件的新引进员工{counted}人，不足{least}人，按通知不能享受（需新引进{least}名员工以上）。",
                Decimal(0),
            )
        raw = per * counted
        who = f"{counted}人" if not st.not_first_count else f"（{st.recruits}-{st.not_first_count}）={counted}人"
        line = f"测算：{who}×{yuan(per)}={yuan(raw)}"
    else:
        return None
    if cap is not None and raw > cap:
        return Calculation(f"{line}，超过每家最高{yuan(cap)}的上限，按上限计{yuan(cap)}。", cap)
    if cap is not None:
        return Calculation(f"{line}，未超过最高{yuan(cap)}的上限。", raw)
    return Calculation(f"{line}。", raw)


# What a statement is about, for saying that a measure does not make it a condition.
FACT_LABELS = {"insured_here": "社保缴纳地", "household_local": "户籍"}
_RULES_USING = {"insured_here": "social_insurance_month", "household_local": "household_outside_region"}


def unlisted_facts(benefit: Benefit, st: Statements, notice: Optional[Notice] = None) -> List[str]:
    """Facts the user stated that none of the measure's conditions asks about ("社保没在嵊泗交" for
    the courier subsidy, whose notice names no social-insurance condition; "国企" for a measure
    that does not exclude state-owned firms)."""
    rules = {c.check.get("rule") for c in benefit.conditions if c.check}
    found = []
    if (benefit.eligibility or {}).get("subject") == "person":
        found = [
            FACT_LABELS[name]
            for name, rule in _RULES_USING.items()
            if getattr(st, name) is not None and rule not in rules
        ]
    if st.firm.get("state_owned") and "firm_not_state_owned" not in rules:
        excluding = [
            b
            for b in (notice.benefits if notice else ())
            if any(c.check and c.check.get("rule") == "firm_not_state_owned" for c in b.conditions)
        ]
        where = "、".join(
            f"{b.name}（{notice.cite(b.clauses)[4:-1].replace(notice.number + ' ', '')}）" for b in excluding
        )
        found.append(f"是否国有企业（排除国有及国有控股企业的是：{where}）" if where else "是否国有企业")
    return found


def render_check(
    benefit: Benefit,
    notice: Notice,
    st: Statements,
    results: List[ConditionResult],
    calculation: Optional[Calculation],
    unlisted: List[str] = (),
    today: Optional[dt.date] = None,
    silent: bool = False,
) -> str:
    outcome = verdict(results)
    if calculation is not None and calculation.amount == 0:
        outcome = NOT_MET
    head = f"【{benefit.name}】{notice.region.short_name}"
    said = f"按您说的（{'、'.join(dict.fromkeys(st.evidence))}）：" if st else ""
    failed = [r.condition.text for r in results if r.status == NOT_MET]
    unknown = [r for r in results if r.status == UNKNOWN]
    if outcome == NOT_MET:
        reason = "；".join(failed) if failed else "引进人数不够"
        line = f"{said}不符合，不能享受。原因：不满足“{reason}”。"
    elif outcome == MET:
        line = f"{said}通知列出的条件都符合，可以享受。"
    else:
        met = [r.condition.text for r in results if r.status == MET]
        line = (
            f"{said}已符合：{'；'.join(met)}。能不能享受，还要看下面打“？”的条件。"
            if met
            else f"{said}能不能享受，还要看下面打“？”的条件。"
        )
    body = [head, line]
    if st.out_of_range:  # "车费一共9999…9元": say why the figure was not used, and the range
        body.insert(1, out_of_range_note(st))
    body += [f"{MARKS[r.status]} {r.condition.text}" for r in results]
    if unlisted:
        body.append(f"通知没有把{'、'.join(unlisted)}列为本项条件（未写明这方面的要求）。")
    if calculation is not None:
        body.append(calculation.text)
    if benefit.amount and calculation is None:
        body.append(f"标准：{benefit.amount}" + (f"；{benefit.cap}" if benefit.cap else ""))
    questions = [r.condition.question for r in unknown if r.condition.question]
    if questions and outcome == UNKNOWN:
        body.append("您可以告诉我：" + "".join(questions[:2]))
    body += [f"时间：{describe_window(w, today)}" for w in benefit.windows if w.has_dates and today]
    if benefit.how_to_claim:
        body.append(f"办理：{benefit.how_to_claim}")
    if benefit.silent_on and (silent or not any(r.condition.check for r in results)):
        body.append(f"通知未写明：{'、'.join(benefit.silent_on)}。")
    tail = "最终能否享受以人社部门审核为准，" + referral(notice) + "。"
    if (benefit.eligibility or {}).get("subject") == "person":
        tail += "想按您的就业和参保记录正式核查，回复“帮我查”。"
    body.append(tail)
    clause_ids = list(dict.fromkeys([*benefit.clauses, *(r.condition.clause for r in results)]))
    return fit_message(body, notice.cite(clause_ids))
