"""The check rules a policy file may name, and what their parameters must look like.

A condition's `check: {rule: NAME, ...}` and a benefit's `eligibility: {subject, amount}` name
rules that bot/eligibility/rules.py implements. This module holds only their names and parameter
specs, with no imports from the rest of the project: the loader validates policy files against it,
and the eligibility rules import it (never the other way round). tests/bot/policy/test_checks.py
keeps the names here and the rules there in step.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, FrozenSet, Optional, Tuple

# Who a benefit's eligibility is checked for, and how its amount is worked out.
SUBJECTS = ("person", "firm")
AMOUNT_RULES = ("fixed", "cost_share", "per_recruit", "none")

# The firm kinds a check may ask for (`employer_any_of`), with their Chinese names.
FIRM_FLAG_NAMES = {
    "above_scale": "规上企业",
    "industrial": "工业企业",
    "key_project": "重大项目/重大工程",
    "festival_production": "春节期间不停工不停产",
    "state_owned": "国有及国有控股企业",
}

# Every rule a check may name (bot/eligibility/rules.py RULES has exactly these).
RULE_NAMES: FrozenSet[str] = frozenset(
    (
        "household_outside_region",
        "festival_job",
        "festival_attendance",
        "social_insurance_month",
        "firm_in_region",
        "firm_not_state_owned",
        "charter_cost_share",
        "placement_min_count",
        "charter_recorded",
        "charter_cross_province",
        "charter_min_passengers",
        "charter_in_window",
        "placement_recorded",
        "placement_employer_in_region",
        "placement_in_window",
        "placement_first_job",
        "placement_insured_months",
    )
)

# The parameters each check rule reads (bot/eligibility/rules.py); a missing one would fail an answer.
RULE_PARAMS: Dict[str, Tuple[str, ...]] = {
    "festival_job": ("date",),
    "festival_attendance": ("year", "field"),
    "social_insurance_month": ("month",),
    "charter_min_passengers": ("min",),
    "charter_in_window": ("window",),
    "charter_cost_share": ("share",),
    "placement_in_window": ("window",),
    "placement_insured_months": ("min",),
    "placement_min_count": ("min",),
}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def param_problem(param: str, value: Any) -> Optional[str]:
    """Why a check parameter's value cannot be used by bot/eligibility/rules.py (None: it can), so a
    typo ("min: 15人") is refused by `bot policies check`, not found by a user as an error."""
    if param in ("min", "year"):
        return None if _is_int(value) and value > 0 else "应为正整数（如 15，不带单位）"
    if param == "share":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= 1
        return None if ok else "应为 0 到 1 之间的小数（如 0.5 表示 50%）"
    if param == "date":
        if isinstance(value, dt.date):
            return None
        try:
            dt.date.fromisoformat(str(value))
            return None
        except ValueError:
            return "应为日期 YYYY-MM-DD（如 2023-01-22）"
    if param == "month":
        return (
            None if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(value)) else '应为月份 "YYYY-MM"（如 "2022-12"，加引号）'
        )
    if param in ("field", "window", "label", "employer_text"):
        return None if isinstance(value, str) and value.strip() else "应为非空文字"
    if param == "roles":
        ok = isinstance(value, list) and value and all(isinstance(v, str) and v for v in value)
        return None if ok else "应为非空文字列表（如 [frontline]）"
    if param == "employer_any_of":
        ok = (
            isinstance(value, list)
            and value
            and all(isinstance(g, list) and g and all(f in FIRM_FLAG_NAMES for f in g) for g in value)
        )
        return (
            None
            if ok
            else f"应为企业类型组合的列表（如 [[above_scale, industrial]]；可选: {', '.join(FIRM_FLAG_NAMES)}）"
        )
    return None
