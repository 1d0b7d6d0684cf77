"""The eligibility rules applied to what the user said (`Statements`), not to the store.

Each condition of the measure is tested with the same rule (`bot.eligibility.rules.RULES`) that
the eligibility check uses, over facts shaped like the store's (`PersonFacts`, `FirmFacts`) built
from the statements. A condition whose facts the user did not state is "unknown", never guessed:
where a firm's kind is only partly known, the rule is tried both ways and only an outcome that does
not depend on the missing part counts.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Dict, List

from bot.eligibility.facts import FirmFacts, PersonFacts
from bot.eligibility.rules import MET, NOT_MET, RULES, UNKNOWN, RuleContext
from bot.eligibility.stated import FIRM_FLAGS, Statements
from bot.policy.model import Benefit, Condition, Notice
from bot.regions import PROVINCES

_NEEDS = {
    "household_outside_region": ("household_local",),
    "social_insurance_month": ("insured_here",),
    "festival_attendance": (),  # the field named in params
    "festival_job": (),
    "firm_in_region": ("firm_local",),
    "firm_not_state_owned": (),
    "charter_recorded": (),
    "charter_cross_province": ("origin_province",),
    "charter_min_passengers": ("passengers",),
    "charter_in_window": ("trip_date",),
    "charter_cost_share": ("cost_yuan",),
    "placement_recorded": ("is_agency",),
    "placement_employer_in_region": (),
    "placement_in_window": (),
    "placement_first_job": ("first_job",),
    "placement_insured_months": ("insured_months",),
    "placement_min_count": ("recruits",),
}


def _known(st: Statements, condition: Condition) -> bool:
    rule = condition.check["rule"]
    if rule == "festival_attendance":
        return getattr(st, condition.check["field"]) is not None
    if rule == "festival_job":
        if condition.check.get("roles") and st.role is None:
            return False
        return st.role is not None or st.employed_here is not None or any(v is not None for v in st.firm.values())
    if rule == "firm_not_state_owned":
        return st.firm["state_owned"] is not None
    if rule == "charter_recorded":
        return any(v is not None for v in (st.origin_province, st.passengers, st.trip_date, st.cost_yuan))
    if rule == "placement_in_window":
        return st.trip_date is not None
    if rule == "placement_employer_in_region":
        return False
    return all(getattr(st, name) is not None for name in _NEEDS.get(rule, ("-",)))


def _person(st: Statements, notice: Notice, firm_flags: Dict[str, bool]) -> PersonFacts:
    code = notice.region.code
    firm = SimpleNamespace(name="您所在单位", region_code=code, **firm_flags)
    job = SimpleNamespace(role=st.role or "frontline", start_date=dt.date.min, end_date=None)
    attendance = SimpleNamespace(worked=st.worked, stayed=st.stayed)
    insurance = (
        [(m, code if st.insured_here else "000000") for m in ("2022-12",)] if st.insured_here is not None else []
    )
    person = SimpleNamespace(household_region_code=code if st.household_local else "000000")
    return PersonFacts(person, jobs=[(job, firm)], insurance=insurance, attendance={2023: attendance})


def _firm(st: Statements, notice: Notice, firm_flags: Dict[str, bool], ctx: RuleContext) -> FirmFacts:
    code = notice.region.code
    firm = SimpleNamespace(
        name="贵单位", region_code=code if st.firm_local is not False else "000000", credit_code="", **firm_flags
    )
    windows = [w for w in ctx.benefit.windows if w.start and w.end]
    inside = windows[0].start if windows else dt.date(2023, 1, 22)
    own_province = next((p for k, p in PROVINCES.items() if code.startswith(k)), None)
    other_province = next(p for p in PROVINCES.values() if p != own_province)
    trip = SimpleNamespace(
        origin_province=st.origin_province or other_province,
        passengers=st.passengers or 10**6,
        trip_date=st.trip_date or inside,
        cost_yuan=st.cost_yuan or Decimal(0),
    )
    placements = [
        (
            SimpleNamespace(
                id_number=str(i),
                start_date=st.trip_date or inside,
                first_job_in_region=st.first_job is not False,
                insured_months=st.insured_months if st.insured_months is not None else 10**6,
            ),
            SimpleNamespace(region_code=code),
        )
        for i in range(min((st.recruits or 1) - (st.not_first_count or 0), 1000))
    ]
    return FirmFacts(firm, charters=[trip], placements=placements)


def _flags_read(condition: Condition) -> List[str]:
    """The firm flags a condition's rule looks at (the only ones worth trying both ways)."""
    flags = {flag for group in condition.check.get("employer_any_of") or () for flag in group}
    if condition.check["rule"] == "firm_not_state_owned":
        flags.add("state_owned")
    return [f for f in FIRM_FLAGS if f in flags]


@dataclass
class ConditionResult:
    condition: Condition
    status: str  # met | not_met | unknown


def evaluate(benefit: Benefit, notice: Notice, st: Statements) -> List[ConditionResult]:
    """Each condition of `benefit` against the statements; unchecked conditions are unknown."""
    ctx = RuleContext(notice, benefit)
    subject = (benefit.eligibility or {}).get("subject")
    results = []
    for condition in benefit.conditions:
        if not condition.check or subject not in ("person", "firm") or not _known(st, condition):
            results.append(ConditionResult(condition, UNKNOWN))
            continue
        rule = RULES[condition.check["rule"]]
        unknown_flags = [f for f in _flags_read(condition) if st.firm[f] is None]
        outcomes = set()
        for values in itertools.product((True, False), repeat=len(unknown_flags)):
            flags = {**{f: bool(v) for f, v in st.firm.items() if v is not None}, **dict(zip(unknown_flags, values))}
            facts = _person(st, notice, flags) if subject == "person" else _firm(st, notice, flags, ctx)
            outcomes.add(rule(facts, condition.check, ctx)[0])
            if len(outcomes) > 1:
                break
        results.append(ConditionResult(condition, outcomes.pop() if len(outcomes) == 1 else UNKNOWN))
    return results


AMOUNT_ONLY = {"charter_cost_share"}  # "补贴包车费用的50%": how much, not whether


def verdict(results: List[ConditionResult]) -> str:
    statuses = {
        r.status
        for r in results
        if not (r.condition.check and r.condition.check.get("rule") in AMOUNT_ONLY and r.status == UNKNOWN)
    }
    if NOT_MET in statuses:
        return NOT_MET
    if statuses <= {MET} and statuses:
        return MET
    return UNKNOWN
