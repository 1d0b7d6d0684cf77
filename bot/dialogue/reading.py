"""Reading one turn against the policy data: which covered region, shared city or uncovered place
it names, and which topic it is about (named, implied by a figure or a job, or carried over)."""

from __future__ import annotations

import re
from typing import List, Optional

from bot.dialogue.turn import CONTEXT_INTENTS, INTENT_TOPICS, Turn, entity_text
from bot.eligibility.stated import read_statements
from bot.policy.model import TOPICS, PolicyBook, Region
from bot.text.normalize import normalize
from bot.understanding import FOLLOWUP_LEAD as _LEAD
from bot.understanding import asks_for_all, asks_if_qualifies, facets, is_followup, region_switch, that_about, topics_in

_FIGURE = re.compile(r"\d+(?:\.\d+)?(?:元|G|%|万元)")


class TurnReader:
    """What a turn names, read with the policy book: regions, shared cities, topics."""

    def __init__(self, book: PolicyBook):
        self.book = book

    def mentioned_regions(self, turn: Turn) -> tuple[Optional[Region], Optional[str]]:
        """(a covered region the user named, the name of an uncovered one). A city several notices
        share (舟山 for two of its counties) is neither: see `shared_city`."""
        other = None
        for entity in turn.entities:
            if entity.get("entity") != "region":
                continue
            value = str(entity.get("value") or "")
            said = entity_text(turn, entity)
            if said and self.book.regions_sharing(said) and self.book.region_by_alias(said) is None:
                continue  # "舟山" that a model trained before a second 舟山 county mapped to one of them
            region = self.book.region_by_alias(value)
            if region:
                return region, None
            if self.book.regions_sharing(value):
                continue
            other = other or value
        found = self.book.regions_in_text(normalize(turn.text))
        if len(found) == 1:
            return found[0], None
        return None, other

    def shared_city(self, turn: Turn, text: str) -> Optional[tuple[str, List[Region]]]:
        """(the name, its regions) when the message names a place only by a city several notices
        declare in `region.shared_aliases` ("舟山的包车补贴" with two 舟山 counties covered)."""
        names = [
            name
            for e in turn.entities
            if e.get("entity") == "region"
            for name in (entity_text(turn, e), str(e.get("value") or ""))
        ]
        names.append(self.book.shared_name_in_text(text) or "")
        for name in names:
            regions = self.book.regions_sharing(name) if name else []
            if (
                len(regions) > 1
                and self.book.region_by_alias(name) is None
                and not self.movement_place(text, name, staying=False)
            ):
                return name, regions
        return None

    def switched_region(self, text: str) -> Optional[str]:
        """ "那云屿呢", "江苏的呢", "舟山那边怎么样": the covered place (own or shared name, read from the
        policy data of every notice) a short follow-up switches to, whatever the intent classifier said."""
        name = region_switch(text)
        if name and (self.book.region_by_alias(name) or self.book.regions_sharing(name)):
            return name
        return None

    def region_only(self, text: str) -> Optional[str]:
        """ "云屿", "我在云屿县", "舟山的": a message that only names a covered place (own or shared
        name, from the policy data) — the answer to "请问您在哪里", whatever the intent came out as."""
        raw = re.sub(r"[\s，。,.!！?？~、]+", "", text)
        name = re.sub(r"^(?:我|俺|我们|俺们|人)?(?:就|是|现在)?(?:在|是)", "", raw)
        name = re.sub(r"(?:的|呀|啊|吧|哈|这边|那边|这里|那里)+$", "", name)
        for candidate in (raw, name):
            if candidate and (self.book.region_by_alias(candidate) or self.book.regions_sharing(candidate)):
                return candidate
        return None

    def mentioned_topic(self, turn: Turn) -> Optional[str]:
        """The measure the message names: a benefit entity, a benefit's own term, a topic word."""
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
        text = normalize(turn.text)
        for notice in self.book.notices:
            for benefit in notice.benefits:
                if len(benefit.topics) == 1 and any(len(t) >= 3 and t in text for t in benefit.terms):
                    return benefit.topics[0]
        named = topics_in(text)
        return named[0] if named else None

    def signature_region(self, topic: str, text: str) -> Optional[Region]:
        """The one region whose notice has what the words describe: a term or a figure
        ("131服务", "1000元消费券", "10G", "50%") that only that notice's measures carry."""

        def described(notice) -> str:
            return " ".join(
                " ".join(filter(None, (b.name, b.amount, b.summary, b.cap, *b.terms))) for b in notice.benefits
            )

        hits = []
        for notice in self.book.notices:
            others = " ".join(described(n) for n in self.book.notices if n is not notice)
            marks = set()
            for benefit in notice.benefits_for(topic) or notice.benefits:
                marks.update(t for t in benefit.terms if len(t) >= 3)
                marks.update(_FIGURE.findall(" ".join(filter(None, (benefit.amount, benefit.summary, benefit.cap)))))
            if any(m in text and m not in others for m in marks):
                hits.append(notice.region)
        return hits[0] if len(hits) == 1 else None

    def topic_by_role(self, turn: Turn, text: str, region_key: Optional[str]) -> Optional[str]:
        """After an overview, "他社保没在嵊泗交，中不中": the measure for the job the user said they do."""
        if not region_key or asks_for_all(text):
            return None
        notice = self.book.notice_for_region(region_key)
        role = read_statements(text, notice, None, turn.stated).role
        wanted = {"courier": "delivery_subsidy", "food_delivery": "delivery_subsidy", "frontline": "retention_bonus"}
        topic = wanted.get(role or "")
        return topic if topic and notice.benefits_for(topic) else None

    def topic_by_figure(self, turn: Turn, text: str) -> Optional[str]:
        """ "那个一千的什么时候能用" after the overview: the one measure of that amount."""
        if turn.topic not in (None, "policy_overview"):
            return None
        numbers = {float(n) for n in re.findall(r"(?<![\d.])(\d{3,5})(?![\d.])", text)}
        notices = [self.book.notice_for_region(turn.region)] if turn.region else list(self.book.notices)
        topics = {b.topics[0] for n in notices if n for b in n.benefits if b.amount_yuan in numbers}
        return topics.pop() if len(topics) == 1 else None

    def names_a_measure(self, turn: Turn, text: str) -> bool:
        """A benefit entity or one of a benefit's own terms (not just a word a topic shares)."""
        if any(e.get("entity") == "benefit" for e in turn.entities):
            return True
        return any(len(t) >= 3 and t in text for n in self.book.notices for b in n.benefits for t in b.terms)

    def choose_topic(self, turn: Turn, text: str) -> Optional[str]:
        if (
            turn.topic
            and (self.switched_region(text) or self.region_only(text))
            and turn.intent not in ("greet", "goodbye", "thank")
        ):
            return turn.topic  # "那云屿呢": same measure, another region, however the intent came out
        named = self.mentioned_topic(turn) or self.topic_by_figure(turn, text)
        if turn.intent == "out_of_scope" and turn.confidence >= 0.8 and not self.names_a_measure(turn, text):
            named = None
        intent_topic = INTENT_TOPICS.get(turn.intent)
        if named:
            return named
        if (
            turn.intent == "out_of_scope"
            and turn.confidence >= 0.8
            and not self.names_a_measure(turn, text)
            and not (turn.topic and (len(text) <= 8 or _LEAD.search(text)) and is_followup(text))
        ):
            return None  # "快递柜坏了找谁修": sure it is not about a measure, whatever words it shares
        unsure = turn.intent in ("out_of_scope", "nlu_fallback")
        carried = (
            is_followup(text)
            if not unsure
            else bool(facets(text) or that_about(text) or _LEAD.search(text) or asks_if_qualifies(text))
        )
        if turn.topic and carried and turn.intent not in ("greet", "goodbye", "thank"):
            return turn.topic
        if intent_topic:
            return intent_topic
        if turn.topic and turn.intent in CONTEXT_INTENTS:
            return turn.topic
        return None

    def movement_place(self, text: str, name: Optional[str], staying: bool = True) -> bool:
        """ "从宁波接的", "去安徽把工人接回来": a place a trip starts from, not the place asked about.
        `staying=False`: "我在舟山" is where the user is (the question is about it), not a trip."""
        lead = "从|去|到|回|来自|由|在" if staying else "从|去|到|来自|由"
        return bool(name) and bool(
            re.search(
                rf"(?:{lead}){re.escape(name)}|{re.escape(name)}"
                r"的?(?:接|出发|过来|回来|那边的工人|工人|老家|老乡|户口|户籍|人)",
                text,
            )
        )
