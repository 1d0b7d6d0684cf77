"""Evaluate every benefit that can apply to a person or a firm, condition by condition."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple

from bot.eligibility.facts import FirmFacts, PersonFacts
from bot.eligibility.rules import MET, NOT_MET, RULES, UNKNOWN, RuleContext, _yuan, qualifying_items
from bot.policy.messages import referral
from bot.policy.model import Benefit, Notice, PolicyBook
from bot.regions import region_contains

ELIGIBLE, NOT_ELIGIBLE, DECISION_UNKNOWN = "eligible", "not_eligible", "unknown"
DECISION_NAMES = {ELIGIBLE: "符合条件", NOT_ELIGIBLE: "不符合条件", DECISION_UNKNOWN: "待核实"}
STATUS_MARKS = {MET: "✓", NOT_MET: "✗", UNKNOWN: "?"}


@dataclass
class ConditionResult:
    condition: str
    text: str
    status: str
    explanation: str
    clause: str

    def to_dict(self) -> Dict[str, Any]:
        return {
            "condition": self.condition,
            "status": self.status,
            "explanation": self.explanation,
            "clause": self.clause,
        }


@dataclass
class BenefitDecision:
    benefit: str
    name: str
    decision: str
    amount: Optional[Decimal]
    amount_text: Optional[str]
    conditions: List[ConditionResult]
    citation: str
    paid: Decimal = Decimal(0)
    cap_left: Optional[Decimal] = None
    how_to_claim: Optional[str] = None  # from the policy data; None where the notice is silent
    referral: str = ""  # where to ask: the notice's public channels

    def to_dict(self) -> Dict[str, Any]:
        amount = (
            None
            if self.amount is None
            else (int(self.amount) if self.amount == self.amount.to_integral() else float(self.amount))
        )
        return {
            "benefit": self.benefit,
            "name": self.name,
            "decision": self.decision,
            "amount": amount,
            "conditions": [c.to_dict() for c in self.conditions],
        }


@dataclass
class Workforce:
    """How many of an employer's workers qualify for a personal benefit, and the total."""

    benefit: str
    name: str
    workers: int
    eligible: int
    unknown: int
    total: Decimal
    how_to_claim: Optional[str]

    def to_dict(self) -> Dict[str, Any]:
        return {
            "benefit": self.benefit,
            "workers": self.workers,
            "eligible": self.eligible,
            "unknown": self.unknown,
            "total": int(self.total),
        }


@dataclass
class EligibilityReport:
    kind: str  # person | firm
    subject_id: str
    name: str
    benefits: List[BenefitDecision]
    workforce: List[Workforce] = field(default_factory=list)

    def to_dict(self) -> Dict[str, Any]:
        from bot.text.mask import mask_id_number

        subject_id = mask_id_number(self.subject_id) if self.kind == "person" else self.subject_id
        data = {
            "subject": {"kind": self.kind, "id": subject_id, "name": self.name},
            "benefits": [b.to_dict() for b in self.benefits],
        }
        if self.kind == "firm":
            data["workforce"] = [w.to_dict() for w in self.workforce]
        return data


def _clause_cite(notice: Notice, clause_id: str) -> str:
    return f"{notice.number} {notice.clause(clause_id).cite}"


class EligibilityEngine:
    def __init__(self, book: PolicyBook):
        self.book = book

    def benefits_for(self, kind: str) -> List[Tuple[Notice, Benefit]]:
        return [
            (n, b)
            for n in self.book.notices
            for b in n.benefits
            if b.eligibility and b.eligibility.get("subject") == kind
        ]

    def evaluate(self, facts: PersonFacts | FirmFacts, notice: Notice, benefit: Benefit) -> BenefitDecision:
        ctx = RuleContext(notice, benefit)
        results = []
        for condition in benefit.conditions:
            if not condition.check:
                continue
            params = condition.check
            status, explanation = RULES[params["rule"]](facts, params, ctx)
            results.append(
                ConditionResult(
                    condition.key, condition.text, status, explanation, _clause_cite(notice, condition.clause)
                )
            )
        amount = self._amount(facts, ctx)
        paid = sum((c.amount_yuan for c in facts.claims if c.benefit == benefit.key), Decimal(0))
        cap_left = None
        if benefit.cap_yuan is not None:
            cap_left = max(Decimal(str(benefit.cap_yuan)) - paid, Decimal(0))
        claims = sorted((c for c in facts.claims if c.benefit == benefit.key), key=lambda c: c.paid_date)
        if claims:
            last = claims[-1]
            paid_text = (
                f"已于{last.paid_date:%Y年%m月%d日}发放{_yuan(last.amount_yuan)}"
                if len(claims) == 1
                else f"已分{len(claims)}次发放共{_yuan(paid)}（最近一次{last.paid_date:%Y年%m月%d日}）"
            )
            remaining = None if amount is None else max(amount - paid, Decimal(0))
            if benefit.eligibility.get("amount") in ("cost_share", "per_recruit") and remaining:
                results.append(
                    ConditionResult(
                        "not_already_paid",
                        "未重复领取",
                        MET,
                        f"{paid_text}，本次按剩余金额{_yuan(remaining)}计算",
                        _clause_cite(notice, benefit.clauses[0]),
                    )
                )
                amount = remaining
            else:
                results.append(
                    ConditionResult(
                        "not_already_paid",
                        "未重复领取",
                        NOT_MET,
                        f"{paid_text}，不能重复领取",
                        _clause_cite(notice, benefit.clauses[0]),
                    )
                )
        statuses = {r.status for r in results}
        decision = NOT_ELIGIBLE if NOT_MET in statuses else DECISION_UNKNOWN if UNKNOWN in statuses else ELIGIBLE
        return BenefitDecision(
            benefit.key,
            benefit.name,
            decision,
            amount if decision == ELIGIBLE else None,
            benefit.amount,
            results,
            notice.cite(benefit.clauses),
            paid,
            cap_left,
            benefit.how_to_claim,
            referral(notice),
        )

    @staticmethod
    def _amount(facts, ctx: RuleContext) -> Optional[Decimal]:
        benefit, rule = ctx.benefit, ctx.benefit.eligibility.get("amount")
        cap = None if benefit.cap_yuan is None else Decimal(str(benefit.cap_yuan))
        if rule == "fixed":
            return None if benefit.amount_yuan is None else Decimal(str(benefit.amount_yuan))
        if rule == "cost_share":
            share = Decimal(str(benefit.eligibility["share"]))
            total = sum((t.cost_yuan for t in qualifying_items(facts, ctx, "charter")), Decimal(0)) * share
        elif rule == "per_recruit":
            people = {p.id_number for p, _ in qualifying_items(facts, ctx, "placement")}
            total = Decimal(str(benefit.amount_yuan)) * len(people)
        else:
            return None
        total = total.quantize(Decimal("0.01"))
        return min(total, cap) if cap is not None else total

    def person_report(self, facts: PersonFacts) -> EligibilityReport:
        decisions = [self.evaluate(facts, n, b) for n, b in self.benefits_for("person")]
        return EligibilityReport("person", facts.person.id_number, facts.person.name, decisions)

    def firm_report(self, facts: FirmFacts, workers: Dict[str, PersonFacts]) -> EligibilityReport:
        decisions = [self.evaluate(facts, n, b) for n, b in self.benefits_for("firm")]
        workforce = []
        for notice, benefit in self.benefits_for("person"):
            if not benefit.eligibility.get("employer_summary"):
                continue
            if not region_contains(notice.region.code, facts.firm.region_code):
                continue  # another county's measure: this firm pays none of it out
            code = facts.firm.credit_code
            # Each worker judged on their job at this firm only (the firm pays out, 节前代发).
            results = [
                self.evaluate(replace(w, jobs=[(j, f) for j, f in w.jobs if f.credit_code == code]), notice, benefit)
                for w in workers.values()
            ]
            eligible = [r for r in results if r.decision == ELIGIBLE]
            workforce.append(
                Workforce(
                    benefit.key,
                    benefit.name,
                    len(results),
                    len(eligible),
                    sum(1 for r in results if r.decision == DECISION_UNKNOWN),
                    sum((r.amount or Decimal(0) for r in eligible), Decimal(0)),
                    benefit.how_to_claim,
                )
            )
        return EligibilityReport("firm", facts.firm.credit_code, facts.firm.name, decisions, workforce)
