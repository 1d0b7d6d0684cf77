"""The rule primitives that policy conditions name in `check: {rule: …}`.

Their names, parameters and the firm kinds they know are in bot/policy/checks.py (what a policy
file may say); `RULES` here implements exactly those names.

Facts (amounts, dates, thresholds, the notice's region) come from the policy data: a condition's
params, the benefit's windows, the notice's region. This module only knows how to test them
against the store and how to say the result in Chinese.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from bot.eligibility.facts import ROLE_NAMES, FirmFacts, PersonFacts
from bot.policy.checks import FIRM_FLAG_NAMES
from bot.policy.model import Benefit, Notice, Window
from bot.regions import province_of_code

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"

Outcome = Tuple[str, str]


@dataclass(frozen=True)
class RuleContext:
    notice: Notice
    benefit: Benefit

    @property
    def region_code(self) -> str:
        return self.notice.region.code

    @property
    def region_name(self) -> str:
        return self.notice.region.short_name

    def window(self, params: Mapping[str, Any]) -> Window:
        label = params.get("window")
        for window in self.benefit.windows:
            if window.label == label and window.start and window.end:
                return window
        raise KeyError(f"{self.benefit.key}: no dated window {label!r}")


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _yuan(value: Decimal | float | int) -> str:
    value = Decimal(str(value)).quantize(Decimal("0.01"))
    return f"{value:,.2f}".rstrip("0").rstrip(".") + "元"


def _region_label(code: str) -> str:
    province = province_of_code(code)
    return f"{province}（{code}）" if province else code


# ---- people -------------------------------------------------------------------------------------


def household_outside_region(facts: PersonFacts, params, ctx: RuleContext) -> Outcome:
    code = facts.person.household_region_code
    if code == ctx.region_code:
        return NOT_MET, f"户籍在{ctx.region_name}，本项只面向非{ctx.region_name}户籍人员"
    return MET, f"户籍地为{_region_label(code)}，不是{ctx.region_name}户籍"


def _firm_matches(firm, any_of: Optional[Sequence[Sequence[str]]]) -> bool:
    return not any_of or any(all(getattr(firm, flag) for flag in group) for group in any_of)


def _criteria_text(params: Mapping[str, Any]) -> str:
    if params.get("employer_text"):
        return str(params["employer_text"])
    return "或".join("且".join(FIRM_FLAG_NAMES[f] for f in group) for group in params["employer_any_of"])


def festival_job(facts: PersonFacts, params, ctx: RuleContext) -> Outcome:
    """A job at a firm in the notice's region on the festival day, with the role and firm asked for."""
    on = _date(params["date"])
    roles = params.get("roles")
    any_of = params.get("employer_any_of")
    label = params.get("label", f"{on.year}年春节期间")
    if not facts.jobs:
        return UNKNOWN, "未查到您的就业记录，请向用人单位或人力社保局核实"
    active = [
        (j, f)
        for j, f in facts.jobs
        if f.region_code == ctx.region_code and j.start_date <= on and (j.end_date is None or j.end_date >= on)
    ]
    if not active:
        return NOT_MET, f"未查到您{label}在{ctx.region_name}单位的在职记录"
    if roles:
        with_role = [(j, f) for j, f in active if j.role in roles]
        if not with_role:
            held = "、".join(f"{f.name}{ROLE_NAMES[j.role]}" for j, f in active)
            wanted = "或".join(ROLE_NAMES[r] for r in roles)
            return NOT_MET, f"{label}您的岗位是{held}，不是{wanted}"
        active = with_role
    if any_of:
        matching = [(j, f) for j, f in active if _firm_matches(f, any_of)]
        if not matching:
            names = "、".join(f.name for _, f in active)
            return NOT_MET, f"所在单位{names}不是{_criteria_text(params)}"
        active = matching
    job, firm = active[0]
    what = f"（{_criteria_text(params)}）" if any_of else ""
    return MET, f"{label}在{firm.name}{what}任{ROLE_NAMES[job.role]}"


def festival_attendance(facts: PersonFacts, params, ctx: RuleContext) -> Outcome:
    year, what = int(params["year"]), params["field"]
    words = {"worked": "坚持工作", "stayed": f"留{ctx.region_name}过年"}[what]
    row = facts.attendance.get(year)
    if row is None:
        return UNKNOWN, f"未查到您{year}年春节期间是否{words}的记录，请由用人单位确认"
    if getattr(row, what):
        return MET, f"记录显示您{year}年春节期间{words}"
    return NOT_MET, f"记录显示您{year}年春节期间没有{words}"


def social_insurance_month(facts: PersonFacts, params, ctx: RuleContext) -> Outcome:
    month = str(params["month"])
    year, mon = month.split("-")
    when = f"{year}年{int(mon)}月"
    if not facts.insurance:
        return UNKNOWN, "未查到您的社保缴费记录，请向社保经办机构核实"
    regions = {region for m, region in facts.insurance if m == month}
    if ctx.region_code in regions:
        return MET, f"{when}在{ctx.region_name}缴纳了社会保险"
    if regions:
        return (
            NOT_MET,
            f"{when}的社保在{'、'.join(_region_label(r) for r in sorted(regions))}缴纳，不在{ctx.region_name}",
        )
    return NOT_MET, f"未查到{when}的社保缴费记录"


# ---- firms: the firm itself ----------------------------------------------------------------------


def firm_in_region(facts: FirmFacts, params, ctx: RuleContext) -> Outcome:
    if facts.firm.region_code == ctx.region_code:
        return MET, f"{facts.firm.name}是{ctx.region_name}企业"
    return NOT_MET, f"{facts.firm.name}注册地为{_region_label(facts.firm.region_code)}，不是{ctx.region_name}企业"


def firm_not_state_owned(facts: FirmFacts, params, ctx: RuleContext) -> Outcome:
    if facts.firm.state_owned:
        return NOT_MET, "国有及国有控股企业不在补贴范围内"
    return MET, "不是国有或国有控股企业"


# ---- firms: item rules over bus charters and agency placements ----------------------------------


@dataclass(frozen=True)
class ItemRule:
    """A condition each bus trip (or placement) passes or fails; met when at least one passes."""

    items: Callable[[FirmFacts], List[Any]]
    passes: Callable[[Any, FirmFacts, Mapping[str, Any], RuleContext], bool]
    describe: Callable[[int, int, Mapping[str, Any], RuleContext], str]
    none_text: str

    def __call__(self, facts: FirmFacts, params, ctx: RuleContext) -> Outcome:
        items = self.items(facts)
        if not items:
            return NOT_MET, self.none_text
        passed = sum(1 for item in items if self.passes(item, facts, params, ctx))
        return (MET if passed else NOT_MET), self.describe(passed, len(items), params, ctx)


def _charters(facts: FirmFacts):
    return facts.charters


def _placements(facts: FirmFacts):
    return facts.placements


def _window_text(params, ctx) -> str:
    w = ctx.window(params)
    return f"{w.start.month}月{w.start.day}日—{w.end.month}月{w.end.day}日"


NO_TRIPS = "未查到本单位的包车记录"
NO_PLACEMENTS = "未查到本单位作为人力资源服务机构引进员工的记录"

ITEM_RULES: Dict[str, ItemRule] = {
    "charter_recorded": ItemRule(
        _charters, lambda t, f, p, c: True, lambda n, total, p, c: f"查到{total}趟包车记录", NO_TRIPS
    ),
    "charter_cross_province": ItemRule(
        _charters,
        lambda t, f, p, c: t.origin_province != province_of_code(f.firm.region_code),
        lambda n, total, p, c: f"{total}趟中{n}趟从外省出发（跨省）",
        NO_TRIPS,
    ),
    "charter_min_passengers": ItemRule(
        _charters,
        lambda t, f, p, c: t.passengers >= int(p["min"]),
        lambda n, total, p, c: f"{total}趟中{n}趟载员工{p['min']}人及以上",
        NO_TRIPS,
    ),
    "charter_in_window": ItemRule(
        _charters,
        lambda t, f, p, c: c.window(p).start <= t.trip_date <= c.window(p).end,
        lambda n, total, p, c: f"{total}趟中{n}趟在{_window_text(p, c)}期间",
        NO_TRIPS,
    ),
    "placement_recorded": ItemRule(
        _placements, lambda x, f, p, c: True, lambda n, total, p, c: f"查到{total}条引进员工记录", NO_PLACEMENTS
    ),
    "placement_employer_in_region": ItemRule(
        _placements,
        lambda x, f, p, c: x[1].region_code == c.region_code,
        lambda n, total, p, c: f"{total}人中{n}人引进到{c.region_name}企业",
        NO_PLACEMENTS,
    ),
    "placement_in_window": ItemRule(
        _placements,
        lambda x, f, p, c: c.window(p).start <= x[0].start_date <= c.window(p).end,
        lambda n, total, p, c: f"{total}人中{n}人在{_window_text(p, c)}期间引进",
        NO_PLACEMENTS,
    ),
    "placement_first_job": ItemRule(
        _placements,
        lambda x, f, p, c: x[0].first_job_in_region,
        lambda n, total, p, c: f"{total}人中{n}人在{c.region_name}首次就业",
        NO_PLACEMENTS,
    ),
    "placement_insured_months": ItemRule(
        _placements,
        lambda x, f, p, c: x[0].insured_months >= int(p["min"]),
        lambda n, total, p, c: f"{total}人中{n}人缴纳社会保险{p['min']}个月以上",
        NO_PLACEMENTS,
    ),
}


def qualifying_items(facts: FirmFacts, ctx: RuleContext, kind: str) -> List[Any]:
    """The trips (kind "charter") or placements ("placement") that pass every item condition."""
    checks = [
        (ITEM_RULES[c.check["rule"]], c.check)
        for c in ctx.benefit.conditions
        if c.check and c.check["rule"].startswith(kind + "_") and c.check["rule"] in ITEM_RULES
    ]
    source = _charters if kind == "charter" else _placements
    return [item for item in source(facts) if all(rule.passes(item, facts, params, ctx) for rule, params in checks)]


def charter_cost_share(facts: FirmFacts, params, ctx: RuleContext) -> Outcome:
    trips = qualifying_items(facts, ctx, "charter")
    if not trips:
        return NOT_MET, "没有同时满足全部条件的包车"
    cost = sum((t.cost_yuan for t in trips), Decimal(0))
    share = Decimal(str(params["share"]))
    return MET, f"符合条件的{len(trips)}趟包车费用合计{_yuan(cost)}，按{share * 100:.0f}%计{_yuan(cost * share)}"


def placement_min_count(facts: FirmFacts, params, ctx: RuleContext) -> Outcome:
    people = {p.id_number for p, _ in qualifying_items(facts, ctx, "placement")}
    need = int(params["min"])
    if len(people) >= need:
        return MET, f"符合条件的新引进员工{len(people)}人，达到{need}人"
    return NOT_MET, f"符合条件的新引进员工{len(people)}人，不足{need}人"


RULES: Dict[str, Callable[..., Outcome]] = {
    "household_outside_region": household_outside_region,
    "festival_job": festival_job,
    "festival_attendance": festival_attendance,
    "social_insurance_month": social_insurance_month,
    "firm_in_region": firm_in_region,
    "firm_not_state_owned": firm_not_state_owned,
    "charter_cost_share": charter_cost_share,
    "placement_min_count": placement_min_count,
    **ITEM_RULES,
}
