"""One turn of a policy conversation: what comes in (`Turn`), what goes out (`Reply`), and the
conversation facts both carry (region, topic, measure, stated facts)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from bot.policy.model import TOPICS, PolicyBook
from bot.text.normalize import normalize

DEFAULT_REGION_ENV = "BOT_DEFAULT_REGION"

# Which topic each intent asks about.
INTENT_TOPICS: Dict[str, str] = {f"ask_{topic}": topic for topic in TOPICS}
INTENT_TOPICS["complain_wage_arrears"] = "wage_arrears"
del INTENT_TOPICS["ask_wage_arrears"]

CONTEXT_INTENTS = {"ask_followup", "inform", "check_eligibility", "check_complaint_status", "affirm", "deny"}
# How a clarifying question starts: a second misunderstood message right after one offers a person.
CLARIFY_OPENINGS = ("抱歉，我没太明白您的意思。", "抱歉，我不太确定您想问哪一项。")
MENU_TOPICS = [t for t in TOPICS if t not in ("wage_arrears", "policy_overview")]


@dataclass
class Turn:
    """The parsed user message and the conversation state the answer depends on."""

    intent: str
    text: str = ""
    entities: Sequence[Dict[str, Any]] = ()
    region: Optional[str] = None  # slot: region key from earlier turns
    topic: Optional[str] = None  # slot: topic of the previous answer
    intent_ranking: Sequence[Dict[str, Any]] = ()
    benefit: Optional[str] = None  # slot: the measure of the previous answer, when it was one
    confidence: float = 1.0  # the NLU's confidence in `intent`
    stated: Optional[Dict[str, Any]] = None  # slot: facts the user stated earlier about this topic


# Where a turn goes when it is not answered in place: the form that takes it over.
ROUTES = ("complaint_form", "status_form", "eligibility_form", "callback_form")


@dataclass
class Reply:
    messages: List[str] = field(default_factory=list)
    region: Optional[str] = None
    topic: Optional[str] = None
    # What the answer rests on (the console links each clause to its full text)
    notice_key: Optional[str] = None
    clause_ids: List[str] = field(default_factory=list)
    # A form to start instead of (or after) the messages; None: answered here.
    route: Optional[str] = None
    # "out_of_scope" / "clarify": nothing here answers it (the caller says so its own way).
    unanswered: Optional[str] = None
    benefit: Optional[str] = None  # the one measure answered, for the next turn's follow-ups
    stated: Optional[Dict[str, Any]] = None  # facts stated so far on this topic, for the next turn


def default_region(book: PolicyBook) -> Optional[str]:
    """The deployment's default region (`BOT_DEFAULT_REGION`, a region key or alias)."""
    raw = os.environ.get(DEFAULT_REGION_ENV, "").strip()
    if not raw:
        return None
    region = book.region_by_alias(raw)
    return region.key if region else None


def topic_menu() -> str:
    items = "、".join(TOPICS[t] for t in MENU_TOPICS)
    return f"我可以解答：{items}等政策问题，也可以告诉您欠薪维权渠道。"


# Facts that are true of one place only: "我是嵊泗户口" says nothing about 云屿's household rule.
REGION_RELATIVE_FACTS = ("household_local", "insured_here", "employed_here", "firm_local")


def facts_for_region(
    stated: Optional[Dict[str, Any]], before: Optional[str], now: Optional[str]
) -> Optional[Dict[str, Any]]:
    """The facts stated so far that still hold after the conversation moves from region `before`
    to `now` ("那云屿呢" after 嵊泗): all of them in the same region, none of the place-relative ones
    in another."""
    if not stated or not before or not now or before == now:
        return stated
    return {k: v for k, v in stated.items() if k not in REGION_RELATIVE_FACTS}


def entity_text(turn: Turn, entity: Dict[str, Any]) -> str:
    """The words an entity was found in, as the user wrote them (its value may be a synonym's)."""
    start, end = entity.get("start"), entity.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(turn.text or ""):
        return normalize(turn.text[start:end], keep_length=True)
    return ""
