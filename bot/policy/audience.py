"""Whom a measure is for: workers or employers (the overview answers list each audience's own)."""

from __future__ import annotations

from typing import List

from bot.policy.model import Benefit, Notice, PolicyBook


def audience(benefit: Benefit) -> str:
    """ "worker" or "employer": whom a measure pays or serves, from its eligibility subject or its
    `who` (a firm, an agency, a unit: employer); "" for measures that address neither directly."""
    subject = (benefit.eligibility or {}).get("subject")
    if subject == "person":
        return "worker"
    if subject == "firm":
        return "employer"
    if "policy_overview" in benefit.topics or "wage_arrears" in benefit.topics:
        return ""
    who = benefit.who or ""
    if any(
        w in who for w in ("员工", "务工", "人员", "劳动者", "群众", "职工", "新嵊泗人", "人口")
    ) and not who.startswith(("企业", "有招工需求")):
        return "worker"
    if any(w in who for w in ("企业", "机构", "单位")):
        return "employer"
    return ""


def for_audience(notice: Notice, employer: bool) -> List[Benefit]:
    """A notice's measures for workers (those with an amount first) or for employers (their own,
    and the ones firms pay out first, "节前代发")."""
    if employer:
        return [
            b for b in notice.benefits if audience(b) == "employer" or (b.eligibility or {}).get("employer_summary")
        ]
    chosen = [b for b in notice.benefits if audience(b) == "worker"]
    return sorted(chosen, key=lambda b: b.amount is None)


def audience_of_topic(book: PolicyBook, topic: str) -> str:
    kinds = {audience(b) for n in book.notices for b in n.benefits_for(topic)} - {""}
    return kinds.pop() if len(kinds) == 1 else "worker"
