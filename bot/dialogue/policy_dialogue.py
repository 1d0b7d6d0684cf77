"""What the assistant says for one user turn about the policies.

Plain Python: the Rasa actions pass in the parsed message and the conversation's slots, and
send back what this returns. Tested without Rasa. What the turn names (region, topic) is read by
bot/dialogue/reading.py; the turn and the reply are in bot/dialogue/turn.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any, Dict, List, Optional, Sequence

from bot.dialogue.reading import TurnReader
from bot.dialogue.turn import (
    CLARIFY_OPENINGS,
    INTENT_TOPICS,
    Reply,
    Turn,
    default_region,
    facts_for_region,
    topic_menu,
)
from bot.eligibility.check_text import calculate, render_check, unlisted_facts
from bot.eligibility.rules import UNKNOWN
from bot.eligibility.stated import carried, read_statements
from bot.eligibility.stated_rules import evaluate
from bot.policy.messages import fit_message, referral
from bot.policy.model import TOPICS, PolicyBook
from bot.policy.render import AnswerRenderer, asks_about_silence, detect_aspects
from bot.text.normalize import normalize
from bot.understanding import (
    asks_for_all,
    asks_if_qualifies,
    asks_official_contact,
    facets,
    is_question,
    off_topic,
    reports_own_arrears,
    wants_own_record_check,
    wants_person,
    writes_as_employer,
)

MAX_READ = 400
_BENEFIT_WORDS = re.compile(r"补贴|福利|能拿|能领|奖励|补助|优惠")
_RELAYED = re.compile(r"^(?:来电人|来电者|来电群众|群众|工人|对方|他|她)(?:问|说|想问|咨询)[:：,，]?")


class PolicyDialogue:
    """One user turn, understood against the conversation's topic and region: answered in place
    (a fact, a facet, a calculation, a condition check on what the user said) or routed to a form."""

    def __init__(self, book: PolicyBook):
        self.book = book
        self.renderer = AnswerRenderer(book)
        self.reader = TurnReader(book)

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
        region, other_region = self.reader.mentioned_regions(turn)
        if (
            other_region
            and not region
            and (
                self.reader.movement_place(text, other_region)
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
            and not self.reader.names_a_measure(turn, text)
            and turn.intent not in ("complain_wage_arrears", "check_complaint_status")
        ):
            return Reply([], turn.region, turn.topic, unanswered="out_of_scope")
        topic = self.reader.choose_topic(turn, text)
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
        shared = None if region else self.reader.shared_city(turn, text)
        if shared:  # "舟山的包车补贴" and two 舟山 counties have notices: which one?
            return Reply([self.renderer.ask_county(shared[0], shared[1], topic)], None, topic)
        if topic is None:
            if region and self.reader.region_only(text):  # "云屿": where the user is, nothing asked yet
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

        inferred = region or self.reader.signature_region(topic, text)
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
            by_role = self.reader.topic_by_role(turn, text, region_key) if topic == turn.topic else None
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
            named = self.reader.mentioned_topic(turn) not in (None, turn.topic)
            checked = self.check_stated(
                topic, region_key, today, text, turn.intent == "check_eligibility", named, remembered, earlier
            )
            if checked:
                return checked
        followup = topic == turn.topic and self.reader.mentioned_topic(turn) is None
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
