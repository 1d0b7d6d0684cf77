"""What the assistant says for one user turn about the policies.

Plain Python: the Rasa actions pass in the parsed message and the conversation's slots, and
send back what this returns. Tested without Rasa.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from bot.eligibility.check_text import calculate, render_check, unlisted_facts
from bot.eligibility.rules import UNKNOWN
from bot.eligibility.stated import carried, evaluate, read_statements
from bot.policy.model import TOPICS, PolicyBook, Region
from bot.policy.render import AnswerRenderer, asks_about_silence, detect_aspects, fit_message, referral
from bot.text.normalize import normalize
from bot.understanding import FOLLOWUP_LEAD as _LEAD
from bot.understanding import (
    asks_for_all,
    asks_if_qualifies,
    asks_official_contact,
    facets,
    is_followup,
    is_question,
    off_topic,
    region_switch,
    reports_own_arrears,
    that_about,
    topics_in,
    wants_own_record_check,
    wants_person,
    writes_as_employer,
)

DEFAULT_REGION_ENV = "BOT_DEFAULT_REGION"

# Which topic each intent asks about.
INTENT_TOPICS: Dict[str, str] = {f"ask_{topic}": topic for topic in TOPICS}
INTENT_TOPICS["complain_wage_arrears"] = "wage_arrears"
del INTENT_TOPICS["ask_wage_arrears"]

CONTEXT_INTENTS = {"ask_followup", "inform", "check_eligibility", "check_complaint_status", "affirm", "deny"}
MAX_READ = 400
_BENEFIT_WORDS = re.compile(r"补贴|福利|能拿|能领|奖励|补助|优惠")
# How a clarifying question starts: a second misunderstood message right after one offers a person.
CLARIFY_OPENINGS = ("抱歉，我没太明白您的意思。", "抱歉，我不太确定您想问哪一项。")
_RELAYED = re.compile(r"^(?:来电人|来电者|来电群众|群众|工人|对方|他|她)(?:问|说|想问|咨询)[:：,，]?")
_FIGURE = re.compile(r"\d+(?:\.\d+)?(?:元|G|%|万元)")
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


def entity_text(turn: "Turn", entity: Dict[str, Any]) -> str:
    """The words an entity was found in, as the user wrote them (its value may be a synonym's)."""
    start, end = entity.get("start"), entity.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(turn.text or ""):
        return normalize(turn.text[start:end], keep_length=True)
    return ""


class PolicyDialogue:
    """One user turn, understood against the conversation's topic and region: answered in place
    (a fact, a facet, a calculation, a condition check on what the user said) or routed to a form."""

    def __init__(self, book: PolicyBook):
        self.book = book
        self.renderer = AnswerRenderer(book)

    # -- reading the turn -----------------------------------------------------------------
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

    # -- answering ------------------------------------------------------------------------
    def respond(self, turn: Turn, today: dt.date) -> Reply:
        # What a question turns on is in its first few hundred characters; longer text only costs time.
        turn = dataclasses.replace(turn, text=(turn.text or "")[:MAX_READ])
        reply = self._respond(turn, today)
        if reply.stated is None and reply.topic == turn.topic:
            reply.stated = turn.stated  # facts stated earlier still hold while the topic does
        reply.stated = facts_for_region(reply.stated, turn.region, reply.region)
        return reply

    def _respond(self, turn: Turn, today: dt.date) -> Reply:
        text = _RELAYED.sub("", normalize(turn.text).strip())  # "来电人问：…" from hotline staff
        region, other_region = self.mentioned_regions(turn)
        if (
            other_region
            and not region
            and (
                self.movement_place(text, other_region)
                or (
                    turn.topic
                    and not re.search(rf"{re.escape(other_region)}.{{0,6}}(?:政策|补贴|补助|有没有|有吗|呢)", text)
                )
            )
        ):
            other_region = None  # a trip's origin or a home town, not a question about that place's policy
        if asks_official_contact(text):
            return Reply([self.contact_refusal(region.key if region else turn.region)], turn.region, turn.topic)
        if turn.intent == "request_human" or wants_person(text):
            return Reply([], turn.region, turn.topic, route="callback_form")
        if turn.intent == "check_complaint_status":
            return Reply([], turn.region, turn.topic, route="status_form")
        if (
            off_topic(text)
            and not self.names_a_measure(turn, text)
            and turn.intent not in ("complain_wage_arrears", "check_complaint_status")
        ):
            return Reply([], turn.region, turn.topic, unanswered="out_of_scope")
        topic = self.choose_topic(turn, text)
        if reports_own_arrears(text) or (
            turn.intent == "complain_wage_arrears" and not is_question(text) and (not topic or topic == "wage_arrears")
        ):
            return Reply([], turn.region, turn.topic, route="complaint_form")
        if turn.intent == "complain_wage_arrears" and not topic:
            return Reply([], turn.region, turn.topic, unanswered="nlu_fallback")
        if turn.intent == "check_eligibility" and wants_own_record_check(text):
            return Reply([], turn.region, topic or turn.topic, route="eligibility_form")
        if turn.intent in ("affirm", "deny") and not (is_question(text) and topic):
            return Reply(["好的。还有其他想了解的吗？"], turn.region, turn.topic, benefit=turn.benefit)

        if other_region and not region:
            return Reply([self.renderer.other_region(other_region)], turn.region, topic)
        shared = None if region else self.shared_city(turn, text)
        if shared:  # "舟山的包车补贴" and two 舟山 counties have notices: which one?
            return Reply([self.renderer.ask_county(shared[0], shared[1], topic)], None, topic)
        if topic is None:
            if region and self.region_only(text):  # "云屿": where the user is, nothing asked yet
                return Reply([f"好的，您在{region.short_name}。{topic_menu()}请问想了解哪一项？"], region.key, None)
            if "how" in facets(text) and not (turn.intent == "out_of_scope" and turn.confidence >= 0.8):
                notice = self.book.notice_for_region(region.key) if region else None
                return Reply(
                    [f"请问您想了解哪项政策？{topic_menu()}具体怎么办理、找谁，可以{referral(notice)[1:]}。"],
                    region.key if region else turn.region,
                    None,
                )
            if turn.intent in ("out_of_scope", "nlu_fallback"):
                return Reply([], turn.region, turn.topic, unanswered=turn.intent)
            if turn.intent == "check_eligibility":
                return self.eligibility_channels(None, region.key if region else turn.region, today)
            if turn.intent == "inform" and region:
                return Reply([f"好的，您在{region.short_name}。{topic_menu()}请问想了解哪一项？"], region.key, None)
            return Reply([f"请问您想了解哪项政策？{topic_menu()}"], region.key if region else turn.region, None)

        inferred = region or self.signature_region(topic, text)
        region_key = inferred.key if inferred else (turn.region or default_region(self.book))
        if region_key is None and (turn.intent == "check_eligibility" or asks_if_qualifies(text)):
            # "我12月社保在老家交的还能领吗": only one notice has conditions to apply to that.
            checkable = [
                n.region
                for n in self.book.notices
                if any(b.conditions and b.eligibility for b in n.benefits_for(topic))
            ]
            region_key = checkable[0].key if len(checkable) == 1 else None
        if topic == "policy_overview":
            by_role = self.topic_by_role(turn, text, region_key) if topic == turn.topic else None
            if by_role is None:
                employer = writes_as_employer(text) or bool((turn.stated or {}).get("employer"))
                reply = self.overview(region_key, today, employer, text)
                said = {}
                if region_key:  # "我老公在嵊泗送快递…有啥补贴": remember the job for the follow-ups
                    notice = self.book.notice_for_region(region_key)
                    said = carried(read_statements(text, notice, today, turn.stated))
                kept = facts_for_region(turn.stated, turn.region, region_key) or {}
                reply.stated = {**kept, **said, **({"employer": True} if employer else {})}
                return reply
            topic = by_role
        earlier = facts_for_region(turn.stated, turn.region, region_key) if topic == turn.topic else None
        remembered = turn.benefit if topic == turn.topic else None
        if region_key and self.book.notice_for_region(region_key).benefits_for(topic):
            named = self.mentioned_topic(turn) not in (None, turn.topic)
            checked = self.check_stated(
                topic, region_key, today, text, turn.intent == "check_eligibility", named, remembered, earlier
            )
            if checked:
                return checked
        followup = topic == turn.topic and self.mentioned_topic(turn) is None
        return self.answer_topic(
            topic,
            region_key,
            today,
            text,
            only_aspects=followup and bool(facets(text)),
            region_named=inferred is not None,
            remembered=remembered,
        )

    def overview(self, region_key: Optional[str], today: dt.date, employer: bool, text: str = "") -> Reply:
        asked = [f for f in facets(text) if f in ("time", "how", "clause", "silent", "who", "conditions")]
        if region_key and not asks_for_all(text) and "conditions" in asked:
            answer = self.renderer.render_overview(region_key, today, employer, conditions=True)
            return Reply([answer.text], region_key, "policy_overview", answer.notice_key, answer.clause_ids)
        if region_key and not asks_for_all(text) and not asked and not _BENEFIT_WORDS.search(text):
            general = self.book.notice_for_region(region_key).benefits_for("policy_overview")
            named = [b for b in general if any(t in text for t in b.terms)]
            if len(named) == 1:  # "春节施工政府有没有保障": the one general measure its words name
                return self.answer_topic("policy_overview", region_key, today, text)
        asked = [f for f in asked if f != "conditions"]
        if asked and not asks_for_all(text) and region_key:  # a notice without overview measures: the notice itself
            return self.answer_topic("policy_overview", region_key, today, text)
        if region_key is None:
            covering = self.book.regions
            if len(covering) != 1:
                body = [self.renderer.overview_line(r.key, today, employer) for r in covering]
                body.append(f"告诉我您在哪里（例如“{self.renderer.example_name()}”），我逐项说金额、条件和时间。")
                return Reply([fit_message(body)], None, "policy_overview")
            region_key = covering[0].key
        answer = self.renderer.render_overview(region_key, today, employer)
        return Reply([answer.text], region_key, "policy_overview", answer.notice_key, answer.clause_ids)

    def check_stated(
        self,
        topic: str,
        region_key: str,
        today: dt.date,
        text: str,
        asked_eligibility: bool,
        named: bool = True,
        remembered: Optional[str] = None,
        earlier: Optional[Dict[str, Any]] = None,
    ) -> Optional[Reply]:
        """Conditions applied to what the user said (now and earlier on this topic); None when the
        message states nothing they decide."""
        notice = self.book.notice_for_region(region_key)
        now = read_statements(text, notice, today)
        statements = read_statements(text, notice, today, earlier)
        candidates = self.renderer.narrow(notice.benefits_for(topic), text, remembered)
        checkable = [b for b in candidates if b.conditions and (b.eligibility or asked_eligibility)]
        if not checkable:
            return None
        benefit = checkable[0]
        results = evaluate(benefit, notice, statements)
        decided = [r for r in results if r.status != UNKNOWN]
        calculation = calculate(benefit, statements, results)
        unlisted = unlisted_facts(benefit, statements, notice)
        asked = facets(text)
        fresh_calculation = calculation and (now or "amount" in asked)
        if asked and not now and not now.out_of_range and not asks_if_qualifies(text):
            return None  # "申请截止到哪天" after a calculation: the facet, not the check again
        wanted = (
            now.out_of_range
            or fresh_calculation
            or asked_eligibility
            or (now and (decided or unlisted) and (asks_if_qualifies(text) or (not named and not asked)))
        )
        if not wanted:
            return None
        text_out = render_check(
            benefit, notice, statements, results, calculation, unlisted, today, silent=asks_about_silence(benefit, text)
        )
        return Reply(
            [text_out],
            region_key,
            topic,
            notice.key,
            list(benefit.clauses),
            benefit=benefit.key,
            stated=carried(statements),
        )

    def contact_refusal(self, region_key: Optional[str]) -> str:
        notice = self.book.notice_for_region(region_key) if region_key else None
        return (
            "抱歉，通知里列出的工作人员的个人手机、电话和邮箱，我不提供，也请不要向个人反映。"
            f"反映问题或咨询政策，请走公开渠道：{referral(notice)[3:]}；欠薪问题也可以直接在这里对我说“我要投诉欠薪”，"
            "登记后由工作人员跟进。"
        )

    def answer_topic(
        self,
        topic: str,
        region_key: Optional[str],
        today: dt.date,
        text: str,
        only_aspects: bool = False,
        region_named: bool = True,
        remembered: Optional[str] = None,
    ) -> Reply:
        covering = self.book.regions_covering(topic)
        if region_key and not region_named and len(covering) == 1 and covering[0].key != region_key and only_aspects:
            # A follow-up on a measure this region was already told it lacks: say so again, never
            # another region's figures as if they applied here.
            own = self.book.notice_for_region(region_key)
            return Reply([self.renderer.not_covered(topic, own)], region_key, topic, own.key)
        if region_key and not region_named and len(covering) == 1 and covering[0].key != region_key:
            # The region is remembered, not asked about, and only another region has this
            # measure: say so and answer for that region instead of a bare "not covered".
            own = self.book.notice_for_region(region_key)
            answer = self.renderer.render_topic(topic, covering[0].key, today, text, only_aspects)
            note = (
                f"（{own.region.short_name}的通知没有此项规定，以下为{covering[0].short_name}的规定。）" if own else ""
            )
            return Reply(
                [fit_message([note, answer.text]) if note else answer.text],
                region_key,
                topic,
                answer.notice_key,
                answer.clause_ids,
            )
        if region_key is None:
            if len(covering) == 1:
                region_key = covering[0].key
                answer = self.renderer.render_topic(topic, region_key, today, text, only_aspects)
                return Reply([answer.text], None, topic, answer.notice_key, answer.clause_ids)
            if not covering:
                return Reply(
                    [f"各地通知都没有关于「{TOPICS.get(topic, topic)}」的规定，{referral(None)}。"], None, topic
                )
            answer = self.renderer.render_regions(topic, today, text)
            return Reply([answer.text], None, topic, None, answer.clause_ids)
        answer = self.renderer.render_topic(topic, region_key, today, text, only_aspects, remembered)
        return Reply(
            [answer.text],
            region_key,
            topic,
            answer.notice_key,
            answer.clause_ids,
            benefit=answer.benefit_keys[0] if len(answer.benefit_keys) == 1 else None,
        )

    def eligibility_channels(self, topic: Optional[str], region_key: Optional[str], today: dt.date) -> Reply:
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
        return Reply(
            [fit_message(body, owner.cite(clause_ids))], owner.region.key, benefit.topics[0], owner.key, clause_ids
        )

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
            return f"{CLARIFY_OPENINGS[0]}{topic_menu()}可以换个说法再问我。"
        options = "\n".join(f"{i}. {TOPICS[t]}" for i, t in enumerate(topics[:3], 1))
        return (
            f"{CLARIFY_OPENINGS[1]}您是想了解：\n{options}\n请直接说出项目名称，例如“{TOPICS[topics[0]]}怎么领”。"
            f"如果问的不是这些，可能不在我的解答范围内，请拨打12333人社服务热线。"
        )

    def aspects(self, text: str) -> List[str]:
        return detect_aspects(text)
