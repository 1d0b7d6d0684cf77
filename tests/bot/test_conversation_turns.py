"""Turns of whole conversations, through PolicyDialogue (no Rasa): the topic and region carried from
turn to turn, facet answers, the calculators, conditions applied to what the user says, region
inference, the overview for a person, and the requests that are not policy questions."""

import datetime as dt

import pytest

from bot.dialogue import PolicyDialogue, Turn
from bot.policy.loader import policy_book

DAY = dt.date(2023, 1, 20)


@pytest.fixture(scope="module")
def talk():
    return PolicyDialogue(policy_book())


def conversation(talk, *turns, day=DAY):
    """Each (intent, text) in turn, the slots carried as the action carries them; the replies."""
    region = topic = None
    replies = []
    for intent, text in turns:
        reply = talk.respond(Turn(intent, text, region=region, topic=topic), day)
        region, topic = reply.region, reply.topic
        replies.append(reply)
    return replies


def test_employer_bus_subsidy_then_cost_then_origin(talk):
    first, cost, origin = conversation(
        talk,
        ("ask_bus_subsidy", "嵊泗企业包车接工人返岗有补贴吗"),
        ("inform", "要是车费一共6万呢"),
        ("check_eligibility", "从宁波接的算不算"),
    )
    assert "50%" in first.messages[0] and "10人及以上" in first.messages[0] and "第17条" in first.messages[0]
    assert "30000元" in cost.messages[0] and "3万元" in cost.messages[0]
    assert "不符合" in origin.messages[0] and "跨省" in origin.messages[0] and "身份证号" not in origin.messages[0]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("车费30万能补多少", ["100000元", "上限"]),
        ("两辆车一共花了3万，能补多少", ["15000元", "1.5万元"]),
    ],
)
def test_bus_calculator_applies_the_share_and_the_cap(talk, text, expected):
    reply = talk.respond(Turn("ask_bus_subsidy", text, region="shengsi", topic="bus_subsidy"), DAY)
    assert all(e in reply.messages[0] for e in expected), reply.messages[0]


@pytest.mark.parametrize(
    "text, expected, refused",
    [
        ("我们人力资源公司招了8个人能拿多少", ["4000元"], False),
        ("招了300个人呢", ["100000元", "上限"], False),
        ("只招到4个人能拿吗", ["5名员工以上"], True),
    ],
)
def test_recruitment_calculator(talk, text, expected, refused):
    reply = talk.respond(Turn("ask_recruitment_reward", text, region="shengsi", topic="recruitment_reward"), DAY)
    assert all(e in reply.messages[0] for e in expected), reply.messages[0]
    assert ("不符合" in reply.messages[0]) is refused


@pytest.mark.parametrize(
    "text, failed",
    [
        ("我12月的社保是在老家交的，还能领吗", "2022年12月在嵊缴纳社会保险"),
        ("俺有个老乡是嵊泗本地户口，他能领不", "非嵊泗县户籍员工"),
        ("我老婆在嵊泗饭店打工，她能领吗", "规上工业企业一线生产岗位"),
    ],
)
def test_stated_facts_are_checked_against_the_conditions_without_the_id_form(talk, text, failed):
    reply = talk.respond(Turn("check_eligibility", text, region="shengsi", topic="retention_bonus"), DAY)
    assert reply.route is None and "不符合" in reply.messages[0] and failed in reply.messages[0]
    assert "第1条" in reply.messages[0]


def test_a_firm_that_meets_every_stated_condition_hears_what_is_still_open(talk):
    reply = talk.respond(Turn("check_eligibility", "我们是嵊泗的民营企业，1月28号从安徽包车接30个人回来，能补吗"), DAY)
    text = reply.messages[0]
    assert (
        reply.region == "shengsi"
        and "不符合" not in text
        and "✓ 跨省" in text
        and "✓ 组织返岗的外来员工10人及以上" in text
    )


def test_a_state_owned_firm_is_told_no(talk):
    reply = talk.respond(Turn("check_eligibility", "我们是国企，包车接员工能补吗", region="shengsi"), DAY)
    assert "不符合" in reply.messages[0] and "国有" in reply.messages[0]


def test_short_follow_ups_keep_the_topic(talk):
    replies = conversation(
        talk,
        ("ask_consumption_voucher", "留嵊过年的消费券"),
        ("out_of_scope", "一个人给多少"),
        ("ask_followup", "还能用几天"),
        ("inform", "那江苏呢"),
    )
    assert "1000元" in replies[1].messages[0] and "还想了解" in replies[1].messages[0]
    assert "截至2023年1月31日" in replies[2].messages[0]
    assert replies[3].region == "jiangsu" and "五（一）" in replies[3].messages[0]


@pytest.mark.parametrize(
    "text, region",
    [
        ("留嵊过年送流量的那个是送多少G", "shengsi"),
        ("131服务是啥意思", "jiangsu"),
        ("菜园镇这边消费券咋领", "shengsi"),
        ("1000元消费券啥时候能用", "shengsi"),
    ],
)
def test_region_is_inferred_without_asking(talk, text, region):
    reply = talk.respond(Turn("ask_followup", text), DAY)
    assert reply.region == region and "请问您在" not in reply.messages[0]


def test_131_card_says_what_the_service_is(talk):
    reply = talk.respond(Turn("ask_job_services", "131服务是啥意思"), DAY)
    assert "1次职业指导、3个岗位、1个培训项目" in reply.messages[0]


def test_overview_for_a_worker_lists_benefits_with_amounts(talk):
    reply = talk.respond(Turn("ask_policy_overview", "今年留嵊过年都有啥福利，给俺列一列"), DAY)
    text = reply.messages[0]
    assert reply.region == "shengsi"
    for fragment in ("500元", "1000元", "10G", "第1条", "第6条", "第8条"):
        assert fragment in text, fragment
    assert "应急预案" not in text


@pytest.mark.parametrize("text", ["江苏省人社厅那个霍丹丹的手机号是多少", "邮箱总能给吧，我发邮件反映问题"])
def test_officials_contacts_are_refused_with_the_public_channels(talk, text):
    reply = talk.respond(Turn("inform", text), DAY)
    assert reply.route is None and "不提供" in reply.messages[0] and "12333" in reply.messages[0]
    assert "@" not in reply.messages[0]


@pytest.mark.parametrize(
    "text",
    [
        "你说的啥俺都看不懂，有没有真人",
        "那你们找个人给俺回电话吧，号码是13588886666，明天上午都在",
        "能不能让人给我回个电话",
        "让你们工作人员打个电话给我",
    ],
)
def test_asking_for_a_person_starts_the_handoff(talk, text):
    assert talk.respond(Turn("nlu_fallback", text), DAY).route == "callback_form"


def test_an_employer_asking_about_the_bus_is_not_a_complaint(talk):
    reply = talk.respond(
        Turn("complain_wage_arrears", "我们是嵊泗一家民营水产公司，年后想包大巴去安徽把工人接回来，政府给不给补贴"), DAY
    )
    assert reply.route is None and "第17条" in reply.messages[0]


def test_every_reply_in_these_conversations_fits_one_wechat_message(talk):
    for reply in conversation(
        talk,
        ("ask_policy_overview", "都有啥政策"),
        ("ask_bus_subsidy", "包车"),
        ("inform", "嵊泗"),
        ("ask_followup", "要啥条件"),
    ):
        assert all(len(m.encode("utf-8")) <= 2048 for m in reply.messages)


HOSTILE = [
    "",
    " ",
    "？？？",
    "\u200b\u200b",
    "\x00\x07",
    "1" * 5000,
    "车费一共" + "9" * 40 + "元能补多少",
    "招了" + "9" * 30 + "个人",
    "<script>alert(1)</script>包车",
    "从火星包车接100000000个人",
    "那呢",
    "1月99号从安徽接的算不算",
    "社保交了-3个月",
    "😀😀😀 消费券",
    "a" * 3000,
]
INTENTS = [
    "ask_bus_subsidy",
    "ask_recruitment_reward",
    "check_eligibility",
    "ask_followup",
    "inform",
    "out_of_scope",
    "nlu_fallback",
    "complain_wage_arrears",
    "affirm",
    "deny",
]


@pytest.mark.parametrize("intent", INTENTS)
def test_hostile_text_never_breaks_a_turn(talk, intent):
    """Every turn ends in a reply, a form or a clarifying/out-of-scope answer; nothing raises."""
    for text in HOSTILE:
        for topic in (None, "bus_subsidy", "recruitment_reward"):
            reply = talk.respond(Turn(intent, text, region="shengsi", topic=topic, confidence=0.9), DAY)
            assert reply.messages or reply.route or reply.unanswered, (intent, text, topic)
            assert all(len(m.encode("utf-8")) <= 2048 for m in reply.messages)
            assert all("<script>" not in m for m in reply.messages)
