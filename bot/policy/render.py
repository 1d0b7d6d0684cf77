"""Render short, cited, date-aware answers from the policy data.

One renderer serves the chat (through the actions) and anything else that shows answers. Every
answer ends with its citation, e.g. `（依据：嵊人社发〔2022〕35号 第6条）`, and fits one WeChat
text message (2048 bytes of UTF-8; the building blocks are in bot/policy/messages.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from bot.policy.audience import audience_of_topic, for_audience
from bot.policy.messages import HOTLINE, describe_window, fit_message, format_date, referral, window_status
from bot.policy.model import TOPICS, Benefit, Notice, PolicyBook, Region
from bot.understanding import facets


def detect_aspects(text: str) -> List[str]:
    """The facets a question asks about (amount, who, conditions, time, how, silent)."""
    return facets(text)


CARD_ORDER = ("amount", "who", "conditions", "time", "how")
CARD_LABELS = {"amount": "金额", "who": "对象", "conditions": "条件", "time": "时间", "how": "办理方式"}


@dataclass
class Answer:
    """A rendered reply and what it rests on."""

    text: str
    notice_key: Optional[str] = None
    benefit_keys: List[str] = field(default_factory=list)
    clause_ids: List[str] = field(default_factory=list)


class AnswerRenderer:
    def __init__(self, book: PolicyBook):
        self.book = book

    # -- single benefit -------------------------------------------------------------------
    def benefit_lines(self, benefit: Benefit, today: dt.date) -> Dict[str, str]:
        """One line per aspect the notice states: amount, who, time, how."""
        notice = self.book.notice_of(benefit)
        lines: Dict[str, str] = {}
        if benefit.amount:
            lines["amount"] = f"金额：{benefit.amount}" + (f"；{benefit.cap}" if benefit.cap else "")
        if not benefit.amount and benefit.summary:
            lines["amount"] = f"内容：{benefit.summary}"
        if benefit.who:
            lines["who"] = f"对象：{benefit.who}"
        if benefit.conditions:
            items = "；".join(f"{i}. {c.text}" for i, c in enumerate(benefit.conditions, 1))
            lines["conditions"] = f"条件：{items}"
        windows = list(benefit.windows) or ([notice.period] if notice.period else [])
        if windows:
            lines["time"] = "\n".join(f"时间：{describe_window(w, today)}" for w in windows)
        if benefit.how_to_claim:
            lines["how"] = f"办理：{benefit.how_to_claim}"
        return lines

    def silent_line(self, benefit: Benefit) -> str:
        notice = self.book.notice_of(benefit)
        if benefit.silent_on:
            return f"通知未写明：{'、'.join(benefit.silent_on)}，{referral(notice)}。"
        if not benefit.how_to_claim:
            return f"通知未写明办理方式，{referral(notice)}。"
        return ""

    def render_benefit(
        self, benefit: Benefit, today: dt.date, aspects: Sequence[str] = (), only_aspects: bool = False, text: str = ""
    ) -> Answer:
        """The benefit's card; the asked aspects first, or (follow-ups) only those."""
        notice = self.book.notice_of(benefit)
        lines = self.benefit_lines(benefit, today)
        asked = [a for a in aspects if a in CARD_ORDER]
        if "who" in asked and "conditions" not in asked:
            asked.append("conditions")
        if "clause" in aspects or "silent" in aspects:
            # The clause as printed, and what each measure resting on it says about its dates.
            quoted = [f"{notice.clause(c).cite}原文：{notice.clause(c).text.strip()}" for c in benefit.clauses]
            sharing = [b for b in notice.benefits if set(b.clauses) & set(benefit.clauses)]
            times = [f"{b.name}：{describe_window(w, today)}" for b in sharing for w in b.windows]
            return Answer(
                fit_message(
                    [f"【{benefit.name}】{notice.region.short_name}", *quoted, *times, self.silent_line(benefit)],
                    notice.cite(benefit.clauses),
                ),
                notice.key,
                [benefit.key],
                list(benefit.clauses),
            )
        if only_aspects and (asked or "silent" in aspects):
            body = [lines[a] for a in asked if a in lines]
            missing = (
                ("amount" in asked and not benefit.amount)
                or ("time" in asked and not any(w.has_dates for w in benefit.windows))
                or asks_about_silence(benefit, text)
            )
            if len(body) < len(asked) or not body or missing or "silent" in aspects or "how" in asked:
                body.append(self.silent_line(benefit))
            rest = [CARD_LABELS[a] for a in CARD_ORDER if a in lines and a not in asked]
            if rest:
                body.append(f"还想了解{'、'.join(rest)}，可以接着问我。")
        else:
            order = asked + [a for a in CARD_ORDER if a not in asked]
            body = [lines[a] for a in order if a in lines]
            body.append(self.silent_line(benefit))
        body = [f"【{benefit.name}】{notice.region.short_name}", *[b for b in body if b]]
        return Answer(
            text=fit_message(body, notice.cite(benefit.clauses)),
            notice_key=notice.key,
            benefit_keys=[benefit.key],
            clause_ids=list(benefit.clauses),
        )

    # -- topics ---------------------------------------------------------------------------
    def narrow(self, benefits: List[Benefit], text: str, remembered: Optional[str] = None) -> List[Benefit]:
        """The benefits the user's words name; else the one talked about before (`remembered`); else
        the one that has what the question asks for; else all of them."""
        if not text:
            return benefits
        named = [b for b in benefits if b.name in text or any(t in text for t in b.terms)]
        if named or len(benefits) == 1:
            return named or benefits
        grams = {text[i : i + 2] for i in range(len(text) - 1)}

        def described(benefit: Benefit) -> int:
            words = " ".join(filter(None, (benefit.name, benefit.summary, benefit.who, *benefit.terms)))
            return len({g for g in grams if g in words})

        scores = [described(b) for b in benefits]
        if max(scores) >= 3 and scores.count(max(scores)) == 1 and max(scores) >= 2 + sorted(scores)[-2]:
            return [benefits[scores.index(max(scores))]]
        if remembered and any(b.key == remembered for b in benefits):
            return [b for b in benefits if b.key == remembered]
        asked = detect_aspects(text)
        having = [
            b
            for b in benefits
            if ("time" in asked and any(w.has_dates for w in b.windows))
            or ("amount" in asked and b.amount)
            or ("how" in asked and b.how_to_claim)
        ]
        if len(having) == 1:
            return having
        # No term named whole: the measure whose name and terms share the most two-character words.
        grams = {text[i : i + 2] for i in range(len(text) - 1)}

        def overlap(benefit: Benefit) -> int:
            words = " ".join((benefit.name, *benefit.terms))
            return len({g for g in grams if g in words})

        scores = [overlap(b) for b in benefits]
        best = max(scores)
        if best > 0 and scores.count(best) == 1:
            return [benefits[scores.index(best)]]
        return benefits

    def render_topic(
        self,
        topic: str,
        region_key: str,
        today: dt.date,
        text: str = "",
        only_aspects: bool = False,
        remembered: Optional[str] = None,
    ) -> Answer:
        notice = self.book.notice_for_region(region_key)
        if notice is None:
            raise KeyError(f"no notice for region {region_key!r}")
        benefits = notice.benefits_for(topic)
        aspects = detect_aspects(text)
        if not benefits and topic == "policy_overview":
            return self.render_notice_overview(notice, today)
        if not benefits:
            return Answer(text=self.not_covered(topic, notice), notice_key=notice.key)
        benefits = self.narrow(benefits, text, remembered)
        if len(benefits) == 1:
            answer = self.render_benefit(benefits[0], today, aspects, only_aspects, text)
            if topic == "policy_overview":
                answer.text = self.with_topic_menu(answer.text, notice)
            return answer
        label = TOPICS.get(topic, topic)
        body = [f"{notice.region.short_name}「{label}」相关措施："]
        clause_ids: List[str] = []
        for i, benefit in enumerate(benefits, 1):
            windows = [w for w in benefit.windows if w.has_dates]
            when = "；" + window_status(windows[0], today) if windows else ""
            cites = notice.cite(benefit.clauses).replace("（依据：", "（").replace(notice.number + " ", "")
            body.append(f"{i}. {benefit.summary}{when}{cites}")
            clause_ids += [c for c in benefit.clauses if c not in clause_ids]
        body.append("想了解哪一项的金额、条件和办理方式，直接问我即可。")
        return Answer(
            text=fit_message(body, notice.cite(clause_ids)),
            notice_key=notice.key,
            benefit_keys=[b.key for b in benefits],
            clause_ids=clause_ids,
        )

    def render_notice_overview(self, notice: Notice, today: dt.date) -> Answer:
        """ "X过年有啥政策 / 通知是哪个文件": the notice and its measures, built from its benefits (a
        notice needs no special overview benefit)."""
        issuers = "、".join(notice.issuers)
        issued = format_date(notice.issued)
        head = f"【{notice.region.short_name}】{notice.number}《{notice.title}》，{issuers}{issued}印发"
        body = [head + (f"，适用于{notice.scope}。" if notice.scope else "。")]
        if notice.period:
            body.append(f"{describe_window(notice.period, today)}")
        body.append("主要措施：")
        body += [f"{i}. {self.short_line(b, today)}" for i, b in enumerate(notice.benefits, 1)]
        covered = [label for t, label in TOPICS.items() if t != "policy_overview" and notice.benefits_for(t)]
        body.append(f"本通知涉及：{'、'.join(covered)}。想了解哪一项的金额、条件和办理方式，直接问我。")
        clause_ids = list(dict.fromkeys(c for b in notice.benefits for c in b.clauses))
        return Answer(
            fit_message(body, notice.cite(clause_ids)), notice.key, [b.key for b in notice.benefits], clause_ids
        )

    def example_name(self) -> str:
        """A region name to give as an example ("嵊泗"): the latest notice's first alias."""
        latest = max(self.book.notices, key=lambda n: n.issued, default=None)
        region = latest.region if latest else None
        if region is None:
            return "您所在的县"
        return region.aliases[0] if region.aliases else region.short_name

    def short_line(self, benefit: Benefit, today: dt.date, with_cite: bool = True) -> str:
        """One line: the measure, its figure, where today stands in its window, its clause."""
        notice = self.book.notice_of(benefit)
        windows = [w for w in benefit.windows if w.has_dates]
        when = "；" + window_status(windows[-1], today) if windows else ""
        cite = (
            notice.cite(benefit.clauses).replace("（依据：", "（").replace(notice.number + " ", "") if with_cite else ""
        )
        return f"{benefit.name}：{benefit.summary}{when}{cite}"

    def render_regions(self, topic: str, today: dt.date, text: str = "") -> Answer:
        """No region known and several notices cover the topic: each in short form, one message."""
        body: List[str] = []
        clause_ids: List[str] = []
        for region in self.book.regions_covering(topic):
            notice = self.book.notice_for_region(region.key)
            benefits = self.narrow(notice.benefits_for(topic), text)
            body.append(f"【{region.short_name}】（{notice.number}）")
            body += [self.short_line(b, today) for b in benefits]
            if "conditions" in detect_aspects(text):  # "包车补贴要什么条件": each one's conditions too
                body += [f"  条件：{'；'.join(c.text for c in b.conditions)}" for b in benefits if b.conditions]
            clause_ids += [c for b in benefits for c in b.clauses if c not in clause_ids]
        label = TOPICS.get(topic, topic)
        count = len(self.book.regions_covering(topic))
        body.insert(0, f"「{label}」{'两' if count == 2 else count}地通知都有规定，各地不同：")
        body.append(
            f"通知没有写明的事项，{referral(None)}或当地人力资源社会保障局。"
            f"告诉我您在哪里（例如“{self.example_name()}”），我给您详细说金额、条件和办理方式。"
        )
        return Answer(fit_message(body), None, [], clause_ids)

    def render_overview(
        self, region_key: str, today: dt.date, employer: bool = False, conditions: bool = False
    ) -> Answer:
        """ "都有啥福利": the benefits a worker (or an employer) can get, with amounts and windows;
        with `conditions`, what each one requires instead ("要啥条件" after the overview)."""
        notice = self.book.notice_for_region(region_key)
        chosen = for_audience(notice, employer)
        if conditions:
            chosen = [b for b in chosen if b.conditions]
        who = "企业" if employer else "职工个人"
        body = [
            f"{notice.region.short_name}面向{who}的主要措施（{notice.number}）" + ("的条件：" if conditions else "：")
        ]
        if conditions:
            body += [
                f"{i}. {b.name}：{'；'.join(c.text for c in b.conditions)}"
                f"{notice.cite(b.clauses).replace('（依据：' + notice.number + ' ', '（')}"
                for i, b in enumerate(chosen, 1)
            ]
        else:
            body += [f"{i}. {self.short_line(b, today)}" for i, b in enumerate(chosen, 1)]
        other = "职工个人" if employer else "企业"
        if any(not b.amount for b in chosen):
            body.append(f"通知没有写明金额的措施，具体标准{referral(notice)}。")
        body.append(f"想了解哪一项的条件和办理方式，直接问我；面向{other}的措施也可以问我。")
        clause_ids = [c for b in chosen for c in b.clauses]
        return Answer(fit_message(body), notice.key, [b.key for b in chosen], list(dict.fromkeys(clause_ids)))

    def overview_line(self, region_key: str, today: dt.date, employer: bool = False) -> str:
        """One region's measures for a worker (or an employer) in one line: names and figures."""
        notice = self.book.notice_for_region(region_key)
        chosen = for_audience(notice, employer)
        items = "；".join(f"{b.name}（{b.amount}）" if b.amount else b.name for b in chosen)
        return f"【{notice.region.short_name}】{items}（{notice.number}）"

    def with_topic_menu(self, text: str, notice: Notice) -> str:
        """An overview answer, plus the topics this notice covers (before the citation)."""
        covered = [label for t, label in TOPICS.items() if t != "policy_overview" and notice.benefits_for(t)]
        body, _, citation = text.rpartition("\n")
        return fit_message([body, f"本通知涉及：{'、'.join(covered)}。可直接问具体项目。"], citation)

    def not_covered(self, topic: str, notice: Notice) -> str:
        label = TOPICS.get(topic, topic)
        others = [r.short_name for r in self.book.regions_covering(topic) if r.key != notice.region.key]
        text = f"{notice.region.short_name}的通知（{notice.number}）没有规定「{label}」这一项，{referral(notice)}。"
        if others:
            text += f"\n{'、'.join(others)}的通知有相关内容，如需了解请告诉我地区，例如“{others[0]}的呢”。"
        employer = audience_of_topic(self.book, topic) == "employer"
        measures = self.overview_line(notice.region.key, dt.date.today(), employer)
        text += f"\n{notice.region.short_name}通知里有的措施：{measures}"
        return fit_message([text])

    def overview_of_coverage(self) -> str:
        parts = [f"{n.region.name}（{n.number}）" for n in self.book.notices]
        return "本助手目前覆盖：" + "；".join(parts) + "的稳岗留工政策。"

    def other_region(self, name: str) -> str:
        return (
            f"抱歉，{name}的政策不在我的资料范围内。{self.overview_of_coverage()}\n"
            f"{name}的相关政策请拨打{HOTLINE}人社服务热线，或咨询当地人力资源社会保障局。"
        )

    def ask_region(self, topic: str) -> str:
        regions = self.book.regions_covering(topic) or self.book.regions
        options = "还是".join(r.short_name for r in regions)
        label = TOPICS.get(topic, topic)
        example = regions[0].aliases[0] if regions[0].aliases else regions[0].short_name
        return f"「{label}」各地规定不同。请问您在{options}？（回复地区名即可，如“{example}”）"

    def ask_county(self, name: str, regions: Sequence[Region], topic: Optional[str]) -> str:
        """A city several notices share: which of its regions? Each with whether it covers the topic."""
        label = TOPICS.get(topic, topic) if topic else ""
        options = []
        for region in regions:
            notice = self.book.notice_for_region(region.key)
            lacks = topic and topic != "policy_overview" and not notice.benefits_for(topic)
            options.append(f"{region.short_name}（{notice.number}{'，未规定此项' if lacks else ''}）")
        what = f"「{label}」" if label and topic != "policy_overview" else "政策"
        example = regions[0].aliases[0] if regions[0].aliases else regions[0].short_name
        return (
            f"{name}有{len(regions)}个地区的通知，{what}各不相同：{'、'.join(options)}。"
            f"请问您在哪个地区？（回复地区名即可，如“{example}”）"
        )

    def regions_for(self, topic: str) -> List[Region]:
        return self.book.regions_covering(topic)


def asks_about_silence(benefit: Benefit, text: str) -> bool:
    """The question touches something the notice leaves open ("申请截止到哪天", "10人是一辆车还是总数")."""
    grams = {text[i : i + 2] for i in range(len(text) - 1)} - {"通知", "是否", "方式", "具体", "计算", "范围", "标准"}
    return any(g in item for item in benefit.silent_on for g in grams)
