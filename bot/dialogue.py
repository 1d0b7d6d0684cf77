"""What the assistant says for one user turn about the policies.

Plain Python: the Rasa actions pass in the parsed message and the conversation's slots, and
send back what this returns. Tested without Rasa.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from bot.policy.model import TOPICS, PolicyBook, Region
from bot.policy.render import AnswerRenderer, detect_aspects, fit_message, referral

DEFAULT_REGION_ENV = "BOT_DEFAULT_REGION"

# Which topic each intent asks about.
INTENT_TOPICS: Dict[str, str] = {f"ask_{topic}": topic for topic in TOPICS}
INTENT_TOPICS["complain_wage_arrears"] = "wage_arrears"
del INTENT_TOPICS["ask_wage_arrears"]

CONTEXT_INTENTS = {"ask_followup", "inform", "check_eligibility", "check_complaint_status"}
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


@dataclass
class Reply:
    messages: List[str] = field(default_factory=list)
    region: Optional[str] = None
    topic: Optional[str] = None
    # What the answer rests on (the console links each clause to its full text)
    notice_key: Optional[str] = None
    clause_ids: List[str] = field(default_factory=list)


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


class PolicyDialogue:
    def __init__(self, book: PolicyBook):
        self.book = book
        self.renderer = AnswerRenderer(book)

    # -- reading the turn -----------------------------------------------------------------
    def mentioned_regions(self, turn: Turn) -> tuple[Optional[Region], Optional[str]]:
        """(a covered region the user named, the name of an uncovered one)."""
        other = None
        for entity in turn.entities:
            if entity.get("entity") != "region":
                continue
            value = str(entity.get("value") or "")
            region = self.book.region_by_alias(value)
            if region:
                return region, None
            other = other or value
        found = self.book.regions_in_text(turn.text)
        if len(found) == 1:
            return found[0], None
        return None, other

    def mentioned_topic(self, turn: Turn) -> Optional[str]:
        for entity in turn.entities:
            if entity.get("entity") != "benefit":
                continue
            value = str(entity.get("value") or "")
            if value in TOPICS:
                return value
            for notice in self.book.notices:
                for benefit in notice.benefits:
                    if value == benefit.name or value in benefit.terms:
                        return benefit.topics[0]
        return None

    # -- answering ------------------------------------------------------------------------
    def respond(self, turn: Turn, today: dt.date) -> Reply:
        region, other_region = self.mentioned_regions(turn)
        region_key = region.key if region else (turn.region or default_region(self.book))
        topic = INTENT_TOPICS.get(turn.intent)
        if topic is None:
            topic = self.mentioned_topic(turn) or turn.topic

        if other_region and not region:
            return Reply([self.renderer.other_region(other_region)], turn.region, topic)

        if turn.intent == "check_eligibility":
            return self.eligibility_channels(topic, region_key, today)
        if turn.intent == "check_complaint_status":
            return Reply([self.complaint_status_channels(region_key)], region_key, turn.topic)

        if topic is None:
            if turn.intent == "inform" and region:
                return Reply([f"好的，您在{region.short_name}。{topic_menu()}请问想了解哪一项？"], region.key, None)
            return Reply([f"请问您想了解哪项政策？{topic_menu()}"], region_key, None)

        return self.answer_topic(topic, region_key, today, turn.text,
                                 only_aspects=turn.intent == "ask_followup",
                                 region_named=region is not None)

    def answer_topic(self, topic: str, region_key: Optional[str], today: dt.date, text: str,
                     only_aspects: bool = False, region_named: bool = True) -> Reply:
        covering = self.book.regions_covering(topic)
        if region_key and not region_named and len(covering) == 1 and covering[0].key != region_key:
            # The region is remembered, not asked about, and only another region has this
            # measure: say so and answer for that region instead of a bare "not covered".
            own = self.book.notice_for_region(region_key)
            answer = self.renderer.render_topic(topic, covering[0].key, today, text, only_aspects)
            note = (f"（{own.region.short_name}的通知没有此项规定，以下为{covering[0].short_name}的规定。）"
                    if own else "")
            return Reply([fit_message([note, answer.text]) if note else answer.text], region_key, topic,
                         answer.notice_key, answer.clause_ids)
        if region_key is None:
            if len(covering) == 1:
                region_key = covering[0].key
                answer = self.renderer.render_topic(topic, region_key, today, text, only_aspects)
                return Reply([answer.text], None, topic, answer.notice_key, answer.clause_ids)
            return Reply([self.renderer.ask_region(topic)], None, topic)
        answer = self.renderer.render_topic(topic, region_key, today, text, only_aspects)
        return Reply([answer.text], region_key, topic, answer.notice_key, answer.clause_ids)

    def eligibility_channels(self, topic: Optional[str], region_key: Optional[str],
                             today: dt.date) -> Reply:
        """Until personal checks are online: the conditions to check against, and who checks."""
        notice = self.book.notice_for_region(region_key) if region_key else None
        candidates = []
        for n in [notice] if notice else self.book.notices:
            candidates += [b for b in n.benefits if b.conditions and (topic is None or topic in b.topics)]
        if not candidates:
            return Reply([f"请问您想确认哪项补贴的资格？{topic_menu()}"], region_key, topic)
        if len(candidates) > 1:
            names = "、".join(f"{b.name}（{self.book.notice_of(b).region.short_name}）" for b in candidates)
            return Reply([f"请问您想确认哪项补贴的资格？可选：{names}。"], region_key, topic)
        benefit = candidates[0]
        owner = self.book.notice_of(benefit)
        body = [f"【{benefit.name}】需同时满足："]
        body += [f"{i}. {c.text}" for i, c in enumerate(benefit.conditions, 1)]
        body.append(f"逐条对照即可自查。个人资格的正式核定，{referral(owner)}。")
        clause_ids = list(dict.fromkeys([*benefit.clauses, *(c.clause for c in benefit.conditions)]))
        return Reply([fit_message(body, owner.cite(clause_ids))], owner.region.key, benefit.topics[0],
                     owner.key, clause_ids)

    def complaint_status_channels(self, region_key: Optional[str]) -> str:
        notice = self.book.notice_for_region(region_key) if region_key else None
        return f"投诉、举报的办理进度，{referral(notice)}，提供您的姓名和登记时的手机号即可查询。"

    def clarify(self, ranking: Sequence[Dict[str, Any]]) -> str:
        """Low confidence: name the closest topics instead of guessing."""
        topics = []
        for item in ranking:
            topic = INTENT_TOPICS.get(str(item.get("name")))
            if topic and topic not in topics:
                topics.append(topic)
        if not topics:
            return f"抱歉，我没太明白您的意思。{topic_menu()}可以换个说法再问我。"
        options = "\n".join(f"{i}. {TOPICS[t]}" for i, t in enumerate(topics[:3], 1))
        return f"抱歉，我不太确定您想问哪一项。您是想了解：\n{options}\n请直接说出项目名称，例如“{TOPICS[topics[0]]}怎么领”。"

    def aspects(self, text: str) -> List[str]:
        return detect_aspects(text)
