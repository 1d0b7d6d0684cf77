import datetime as dt

import pytest

from bot.dialogue import INTENT_TOPICS, PolicyDialogue, Turn
from bot.policy.model import TOPICS

DAY = dt.date(2023, 1, 20)


@pytest.fixture
def dialogue(book, monkeypatch):
    monkeypatch.delenv("BOT_DEFAULT_REGION", raising=False)
    return PolicyDialogue(book)


def region_entity(value):
    return {"entity": "region", "value": value}


def test_every_topic_has_an_intent():
    assert set(INTENT_TOPICS.values()) == set(TOPICS)


def test_region_from_the_message(dialogue):
    reply = dialogue.respond(Turn("ask_retention_bonus", "嵊泗留工补助多少钱", [region_entity("shengsi")]), DAY)
    assert reply.region == "shengsi" and reply.topic == "retention_bonus"
    assert "500元" in reply.messages[0]
    assert reply.messages[0].endswith("（依据：嵊人社发〔2022〕35号 第1条）")


def test_region_found_in_text_when_no_entity(dialogue):
    reply = dialogue.respond(Turn("ask_consumption_voucher", "江苏有消费券吗"), DAY)
    assert reply.region == "jiangsu"
    assert "苏人社函〔2021〕21号" in reply.messages[0]


def test_unknown_region_is_asked_when_it_matters(dialogue):
    reply = dialogue.respond(Turn("ask_consumption_voucher", "消费券怎么领"), DAY)
    assert reply.region is None and reply.topic == "consumption_voucher"
    # Both notices in short form, each with its clause, instead of a wasted turn asking the region.
    assert "嵊泗县" in reply.messages[0] and "江苏省" in reply.messages[0] and "请问您在" not in reply.messages[0]
    assert "第6条" in reply.messages[0] and "五（一）" in reply.messages[0]


def test_the_answer_to_the_region_question_answers_the_pending_topic(dialogue):
    reply = dialogue.respond(Turn("inform", "嵊泗", [region_entity("shengsi")], topic="consumption_voucher"), DAY)
    assert reply.region == "shengsi"
    assert "1000元" in reply.messages[0] and "2023年1月16日" in reply.messages[0]


def test_topic_only_one_region_covers_needs_no_region(dialogue):
    reply = dialogue.respond(Turn("ask_delivery_subsidy", "外卖骑手有补贴吗"), DAY)
    assert "500元" in reply.messages[0] and "嵊人社发〔2022〕35号 第3条" in reply.messages[0]


def test_region_from_an_earlier_turn(dialogue):
    reply = dialogue.respond(Turn("ask_bus_subsidy", "包车补贴", region="shengsi"), DAY)
    assert "第17条" in reply.messages[0] and reply.region == "shengsi"


def test_deployment_default_region(dialogue, monkeypatch):
    monkeypatch.setenv("BOT_DEFAULT_REGION", "嵊泗")
    reply = dialogue.respond(Turn("ask_consumption_voucher", "消费券"), DAY)
    assert reply.region == "shengsi" and "1000元" in reply.messages[0]


def test_region_switch_reanswers_the_same_topic(dialogue):
    first = dialogue.respond(Turn("ask_consumption_voucher", "嵊泗消费券", [region_entity("shengsi")]), DAY)
    switched = dialogue.respond(
        Turn("inform", "那江苏呢", [region_entity("jiangsu")], region=first.region, topic=first.topic), DAY
    )
    assert switched.region == "jiangsu" and switched.topic == "consumption_voucher"
    assert "苏人社函〔2021〕21号 五（一）" in switched.messages[0]


def test_follow_up_uses_the_previous_topic(dialogue):
    reply = dialogue.respond(Turn("ask_followup", "那怎么领？", region="shengsi", topic="retention_bonus"), DAY)
    assert "节前代发、节后申领" in reply.messages[0]
    assert "金额：" not in reply.messages[0] and "还想了解金额" in reply.messages[0]


def test_follow_up_without_context_asks_which_policy(dialogue):
    reply = dialogue.respond(Turn("ask_followup", "那怎么领？"), DAY)
    assert "哪项政策" in reply.messages[0]


def test_other_region_gets_an_honest_answer(dialogue):
    reply = dialogue.respond(Turn("ask_retention_bonus", "上海有留工补助吗", [region_entity("上海")]), DAY)
    assert "上海" in reply.messages[0] and "12333" in reply.messages[0]
    assert "500元" not in reply.messages[0]


def test_time_aware_answer(dialogue, today):
    now = today("2026-11-23")
    reply = dialogue.respond(Turn("ask_consumption_voucher", "消费券现在还能用吗", region="shengsi"), now)
    assert "已于2023年1月31日结束" in reply.messages[0]
    assert reply.messages[0].index("时间") < reply.messages[0].index("金额")


def test_eligibility_lists_the_conditions_to_check(dialogue):
    reply = dialogue.respond(
        Turn("check_eligibility", "我能领留工补助吗", topic="retention_bonus", region="shengsi"), DAY
    )
    text = reply.messages[0]
    assert "非嵊泗县户籍" in text and "2022年12月" in text and "12333" in text
    assert text.endswith("（依据：嵊人社发〔2022〕35号 第1条）")


def test_wage_arrears_questions_give_the_channels_and_complaints_go_to_the_intake(dialogue):
    reply = dialogue.respond(Turn("ask_followup", "欠薪了去哪里维权", region="shengsi"), DAY)
    assert "第21条" in reply.messages[0] or "第22条" in reply.messages[0]
    complaint = dialogue.respond(Turn("complain_wage_arrears", "老板欠薪", region="shengsi"), DAY)
    assert complaint.route == "complaint_form" and complaint.messages == []


def test_clarify_names_the_closest_topics(dialogue):
    ranking = [
        {"name": "nlu_fallback"},
        {"name": "ask_data_gift"},
        {"name": "greet"},
        {"name": "ask_consumption_voucher"},
    ]
    text = dialogue.clarify(ranking)
    assert "1. 流量大礼包/通讯补贴" in text and "2. 消费券" in text
    assert "抱歉" in dialogue.clarify([{"name": "greet"}])


def test_remembered_region_without_the_measure_answers_for_the_region_that_has_it(dialogue):
    reply = dialogue.respond(Turn("ask_delivery_subsidy", "送货的骑手补贴咋领", region="jiangsu"), DAY)
    text = reply.messages[0]
    assert text.startswith("（江苏省的通知没有此项规定，以下为嵊泗县的规定。）")
    assert "500元" in text and text.endswith("（依据：嵊人社发〔2022〕35号 第3条）")
    assert reply.region == "jiangsu" and reply.topic == "delivery_subsidy"


def test_a_term_only_one_notice_has_names_the_region(dialogue):
    reply = dialogue.respond(Turn("ask_delivery_subsidy", "外卖骑手补贴咋领", region="jiangsu"), DAY)
    assert reply.region == "shengsi" and "500元" in reply.messages[0]


def test_named_region_without_the_measure_says_so(dialogue):
    reply = dialogue.respond(Turn("ask_delivery_subsidy", "江苏外卖骑手有补贴吗", [region_entity("jiangsu")]), DAY)
    assert "没有规定「快递外卖稳岗补贴」这一项" in reply.messages[0]
    assert "500元" not in reply.messages[0]
