"""What the copilot shows for one thing a caller said: the intent with its confidence and the
runners-up, the entities, and the answer the chat would give, with the clauses it rests on.

The NLU result comes from the running Rasa server (`/model/parse`), so the console sees exactly
what the chat sees; the answer comes from the same `PolicyDialogue` the chat's actions use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from bot.dialogue import INTENT_TOPICS, PolicyDialogue, Turn
from bot.policy.model import TOPICS, PolicyBook

REPO_ROOT = Path(__file__).resolve().parents[2]
FALLBACK_INTENT = "nlu_fallback"

# Intents that are not policy topics, in words an agent reads at a glance.
INTENT_LABELS: Dict[str, str] = {
    "greet": "问候",
    "goodbye": "道别",
    "thank": "感谢",
    "affirm": "肯定",
    "deny": "否定",
    "bot_challenge": "问是否机器人",
    "out_of_scope": "超出范围",
    "request_human": "要求转人工",
    "ask_followup": "追问（沿用上一话题）",
    "check_eligibility": "查询本人/本企业资格",
    "complain_wage_arrears": "欠薪投诉",
    "check_complaint_status": "查询投诉进度",
    "inform": "提供信息",
    FALLBACK_INTENT: "无法确定",
}
ENTITY_LABELS = {
    "benefit": "政策项目",
    "region": "地区",
    "group": "人群",
    "amount": "金额",
    "date": "日期",
    "phone": "电话",
    "id_number": "身份证号",
    "credit_code": "信用代码",
    "org_name": "单位",
    "person_name": "姓名",
    "ticket_id": "工单号",
}
# What the agent can do next for an intent (a link in the console).
NEXT_STEPS = {
    "complain_wage_arrears": ("intake", "转为欠薪投诉登记（已识别的信息会预先填好）"),
    "request_human": ("callback", "登记回电请求"),
    "check_eligibility": ("lookup", "按身份证号或信用代码查询资格"),
    "check_complaint_status": ("queue", "在工单队列中查找"),
}


def intent_label(intent: str) -> str:
    topic = INTENT_TOPICS.get(intent)
    return TOPICS[topic] if topic else INTENT_LABELS.get(intent, intent)


@lru_cache(maxsize=1)
def fallback_threshold(config: Path = REPO_ROOT / "config.yml") -> float:
    """The FallbackClassifier threshold the chat uses (config.yml): below it, confidence is low."""
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    for component in data.get("pipeline") or []:
        if component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3))
    return 0.3


@dataclass
class ClauseRef:
    notice_key: str
    clause_id: str
    cite: str
    heading: str


@dataclass
class Suggestion:
    text: str
    intent: str
    intent_label: str
    confidence: float
    low_confidence: bool
    alternatives: List[Dict[str, Any]] = field(default_factory=list)  # the top 3 after the first
    entities: List[Dict[str, Any]] = field(default_factory=list)
    answer: Optional[str] = None
    clauses: List[ClauseRef] = field(default_factory=list)
    next_step: Optional[Dict[str, str]] = None
    note: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        data = dict(self.__dict__)
        data["clauses"] = [c.__dict__ for c in self.clauses]
        return data


class Copilot:
    def __init__(self, book: PolicyBook, threshold: Optional[float] = None):
        self.book = book
        self.dialogue = PolicyDialogue(book)
        self.threshold = fallback_threshold() if threshold is None else threshold

    def suggest(self, parsed: Dict[str, Any], today: dt.date, region: Optional[str] = None) -> Suggestion:
        """`parsed`: Rasa's /model/parse result. `region`: the region key the agent picked, if any."""
        text = str(parsed.get("text") or "")
        top = parsed.get("intent") or {}
        ranking = [r for r in parsed.get("intent_ranking") or [] if r.get("name") != FALLBACK_INTENT]
        fell_back = top.get("name") == FALLBACK_INTENT
        best = (
            ranking[0]
            if ranking
            else {"name": top.get("name") or FALLBACK_INTENT, "confidence": top.get("confidence") or 0.0}
        )
        intent, confidence = str(best.get("name")), float(best.get("confidence") or 0.0)
        low = fell_back or confidence < self.threshold
        suggestion = Suggestion(
            text=text,
            intent=intent,
            intent_label=intent_label(intent),
            confidence=round(confidence, 3),
            low_confidence=low,
            alternatives=[
                {
                    "intent": r["name"],
                    "label": intent_label(r["name"]),
                    "confidence": round(float(r.get("confidence") or 0.0), 3),
                }
                for r in ranking[1:4]
            ],
            entities=[
                {
                    "entity": e.get("entity"),
                    "label": ENTITY_LABELS.get(e.get("entity"), e.get("entity")),
                    "value": str(e.get("value")),
                    "text": text[e["start"] : e["end"]]
                    if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)
                    else str(e.get("value")),
                }
                for e in parsed.get("entities") or []
            ],
        )
        if intent in NEXT_STEPS:
            kind, label = NEXT_STEPS[intent]
            suggestion.next_step = {"kind": kind, "label": label}
        if intent not in INTENT_TOPICS and intent not in ("check_eligibility", "ask_followup", "inform"):
            suggestion.note = "这不是政策问题，没有可引用的政策答案。"
            return suggestion
        reply = self.dialogue.respond(
            Turn(intent, text, parsed.get("entities") or [], region=region, intent_ranking=ranking), today
        )
        if reply.route and not reply.messages and intent in INTENT_TOPICS:
            # The chat would start a form (the intake); the hotline still wants the cited channels.
            reply = self.dialogue.answer_topic(INTENT_TOPICS[intent], region, today, text)
        suggestion.answer = "\n\n".join(reply.messages)
        if reply.notice_key:
            notice = self.book.notice(reply.notice_key)
            for clause_id in reply.clause_ids:
                clause = notice.clause(clause_id)
                suggestion.clauses.append(
                    ClauseRef(notice.key, clause.id, f"{notice.number} {clause.cite}", clause.heading)
                )
        if low:
            suggestion.note = (
                f"置信度低（{confidence:.0%}，低于 {self.threshold:.0%}）：聊天机器人会先反问澄清。"
                "以下答案仅供参考，请先向来电人确认所问事项。"
            )
        return suggestion
