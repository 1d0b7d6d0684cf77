"""The copilot's suggestion from a Rasa parse result: the same answer the chat gives, the
clauses it cites, confidence shown as it is."""

import datetime as dt

from bot.console.copilot import Copilot, fallback_threshold
from bot.dialogue import PolicyDialogue, Turn

DAY = dt.date(2023, 1, 20)


def parse(text, ranking, entities=(), fell_back=False):
    """A result shaped like Rasa's /model/parse."""
    ranking = [{"name": n, "confidence": c} for n, c in ranking]
    top = {"name": "nlu_fallback", "confidence": 0.45} if fell_back else dict(ranking[0])
    if fell_back:
        ranking = [top, *ranking]
    return {"text": text, "intent": top, "intent_ranking": ranking, "entities": list(entities)}


def test_policy_question_gets_the_chats_answer_with_its_clauses(book):
    text = "嵊泗的留工补助怎么领？"
    entities = [{"entity": "region", "value": "shengsi", "start": 0, "end": 2}]
    suggestion = Copilot(book).suggest(
        parse(
            text,
            [
                ("ask_retention_bonus", 0.97),
                ("check_eligibility", 0.02),
                ("ask_delivery_subsidy", 0.005),
                ("inform", 0.003),
                ("greet", 0.001),
            ],
            entities,
        ),
        DAY,
    )
    chat = PolicyDialogue(book).respond(Turn("ask_retention_bonus", text, entities), DAY)
    assert suggestion.answer == "\n\n".join(chat.messages)
    assert suggestion.intent_label == "一次性留工补助" and not suggestion.low_confidence
    assert [a["intent"] for a in suggestion.alternatives] == ["check_eligibility", "ask_delivery_subsidy", "inform"]
    assert suggestion.entities == [{"entity": "region", "label": "地区", "value": "shengsi", "text": "嵊泗"}]
    notice = book.notice_for_region("shengsi")
    assert [c.clause_id for c in suggestion.clauses] == chat.clause_ids
    for ref in suggestion.clauses:
        assert ref.cite.startswith(notice.number) and notice.clause(ref.clause_id).cite in ref.cite
        assert notice.clause(ref.clause_id).cite.split()[0] in suggestion.answer.rsplit("依据", 1)[1]


def test_fallback_is_shown_as_low_confidence_with_the_best_guess(book):
    copilot = Copilot(book, threshold=0.45)
    suggestion = copilot.suggest(
        parse("那个补贴", [("ask_delivery_subsidy", 0.31), ("ask_retention_bonus", 0.30)], fell_back=True), DAY
    )
    assert suggestion.low_confidence and suggestion.intent == "ask_delivery_subsidy"
    assert suggestion.confidence == 0.31 and "置信度低（31%" in suggestion.note
    assert [a["intent"] for a in suggestion.alternatives] == ["ask_retention_bonus"]


def test_low_confidence_below_the_threshold_without_fallback_is_flagged_too(book):
    suggestion = Copilot(book, threshold=0.6).suggest(parse("消费券", [("ask_consumption_voucher", 0.5)]), DAY)
    assert suggestion.low_confidence and suggestion.answer


def test_non_policy_intents_get_no_answer_and_complaints_point_to_intake(book):
    copilot = Copilot(book)
    greeting = copilot.suggest(parse("你好", [("greet", 0.99)]), DAY)
    assert greeting.answer is None and greeting.clauses == [] and "不是政策问题" in greeting.note
    complaint = copilot.suggest(parse("老板欠我工资", [("complain_wage_arrears", 0.95)]), DAY, region="shengsi")
    assert complaint.next_step["kind"] == "intake" and complaint.answer


def test_threshold_is_the_chats_fallback_threshold():
    import yaml

    from bot.console.copilot import REPO_ROOT

    config = yaml.safe_load((REPO_ROOT / "config.yml").read_text(encoding="utf-8"))
    [fallback] = [c for c in config["pipeline"] if c["name"] == "FallbackClassifier"]
    assert fallback_threshold() == fallback["threshold"]
