import datetime as dt
import re

import pytest

from bot.policy.loader import load_policies
from bot.policy.messages import WECHAT_LIMIT_BYTES
from bot.policy.model import TOPICS
from bot.policy.render import AnswerRenderer, detect_aspects
from tests.conftest import REPO_ROOT, all_notices_book

# Every notice in policies/ plus the fictional test notice: a new notice file adds tests here.
BOOK = all_notices_book()
REAL = load_policies(REPO_ROOT / "policies")
ALL_BENEFITS = [b for n in BOOK.notices for b in n.benefits]
JIANGSU_SEED_CONTACTS = [
    "18963606582",
    "13585178877",
    "13770959821",
    "025-83233816",
    "@qq.com",
    "@163.com",
    "霍丹丹",
    "史皓骏",
]


@pytest.fixture(scope="module")
def renderer():
    return AnswerRenderer(BOOK)


def flat(text):
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("benefit", ALL_BENEFITS, ids=lambda b: b.key)
def test_every_benefit_renders_a_cited_answer_that_fits_wechat(renderer, benefit):
    notice = BOOK.notice_of(benefit)
    answer = renderer.render_benefit(benefit, dt.date(2023, 1, 20))
    assert answer.text.endswith(notice.cite(benefit.clauses))
    assert answer.text.rstrip().endswith("）")
    assert f"（依据：{notice.number} " in answer.text
    assert len(answer.text.encode("utf-8")) <= WECHAT_LIMIT_BYTES
    assert benefit.name in answer.text
    if benefit.amount:
        assert benefit.amount in answer.text
    if benefit.how_to_claim:
        assert benefit.how_to_claim in answer.text


@pytest.mark.parametrize("benefit", ALL_BENEFITS, ids=lambda b: b.key)
def test_every_figure_traces_to_the_notice(benefit, seed_texts):
    """Amounts, caps and window dates must be printed in the clauses the benefit cites."""
    notice = BOOK.notice_of(benefit)
    source = seed_texts[notice.number]
    cited = "".join(flat(notice.clause(c).text) for c in benefit.clauses)
    for clause_id in benefit.clauses:
        assert flat(notice.clause(clause_id).text)[:40] in source, f"clause {clause_id} text is not in the notice"
    for figure in (benefit.amount_yuan, benefit.cap_yuan):
        if figure:
            value = int(figure)
            spelled = {str(value), f"{value // 10000}万"} if value % 10000 == 0 else {str(value)}
            assert any(s in cited for s in spelled), f"{figure} is not in clauses {benefit.clauses}"
    for window in benefit.windows:
        window_clause = flat(notice.clause(window.clause).text)
        for day in (window.start, window.end):
            if day:
                assert date_is_stated(day, window_clause, notice), f"{day} is not in clause {window.clause}"


def date_is_stated(day, clause_text, notice):
    """The clause prints the date ("1月16日", "1月16—31日"), says 月底 for a month's last day,
    or 即日起 for the notice's issue date."""
    if re.search(rf"(?<!\d){day.month}月{day.day}[日—-]", clause_text):
        return True
    if re.search(rf"(?<!\d){day.month}月\d+日?[—-]{day.day}日", clause_text):
        return True
    last_day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    if day == last_day and f"{day.month}月底" in clause_text:
        return True
    return day == notice.issued and "即日起" in clause_text


def test_consumption_voucher_window(renderer):
    voucher = BOOK.benefit("consumption_voucher")
    before = renderer.render_benefit(voucher, dt.date(2023, 1, 15)).text
    during = renderer.render_benefit(voucher, dt.date(2023, 1, 16)).text
    last = renderer.render_benefit(voucher, dt.date(2023, 1, 31)).text
    after = renderer.render_benefit(voucher, dt.date(2023, 2, 1)).text
    assert "将于2023年1月16日开始（还有1天）" in before
    assert "正在进行中，截至2023年1月31日" in during and "正在进行中" in last
    assert "已于2023年1月31日结束" in after
    assert "1000元" in during


def test_window_with_only_an_end_date(renderer):
    cut = BOOK.benefit("unemployment_insurance_rate_cut")
    assert "截至2023年4月30日" in renderer.render_benefit(cut, dt.date(2023, 4, 30)).text
    assert "已于2023年4月30日结束" in renderer.render_benefit(cut, dt.date(2023, 5, 1)).text


def test_undated_window_says_the_notice_gives_no_dates(renderer):
    text = renderer.render_benefit(BOOK.benefit("retention_bonus"), dt.date(2023, 1, 20)).text
    assert "2023年春节期间" in text and "通知未写明具体起止日期" in text
    assert "500元" in text and "节前代发、节后申领" in text
    assert "申领截止日期" in text and "12333" in text


def test_jiangsu_measures_use_the_action_period(renderer):
    text = renderer.render_topic("consumption_voucher", "jiangsu", dt.date(2026, 11, 23)).text
    assert "2021年1月26日至2021年3月31日" in text and "已于2021年3月31日结束" in text
    assert "通知未规定统一金额" in text or "具体金额" in text


@pytest.mark.parametrize("topic", list(TOPICS))
@pytest.mark.parametrize("region", [r.key for r in BOOK.regions])
def test_every_topic_answer_is_cited_short_and_has_no_personal_contacts(renderer, topic, region):
    text = renderer.render_topic(topic, region, dt.date(2023, 1, 20)).text
    assert len(text.encode("utf-8")) <= WECHAT_LIMIT_BYTES
    for leak in JIANGSU_SEED_CONTACTS:
        assert leak not in text
    notice = BOOK.notice_for_region(region)
    if notice.benefits_for(topic) or topic == "policy_overview":  # every notice has an overview
        assert text.endswith("）") and f"依据：{notice.number}" in text
    else:
        assert "没有规定" in text and "12333" in text


def test_topic_answer_narrows_to_the_named_measure(renderer):
    whole = renderer.render_topic("insurance_relief", "shengsi", dt.date(2023, 1, 20))
    narrowed = renderer.render_topic("insurance_relief", "shengsi", dt.date(2023, 1, 20), "电力保供白名单是什么")
    assert len(whole.benefit_keys) > 1
    assert narrowed.benefit_keys == ["power_supply_whitelist"]
    assert narrowed.text.endswith("（依据：嵊人社发〔2022〕35号 第2条）")


def test_follow_up_answers_only_the_asked_aspect(renderer):
    answer = renderer.render_topic("retention_bonus", "shengsi", dt.date(2023, 1, 20), "那怎么领", only_aspects=True)
    assert "办理：" in answer.text and "金额：" not in answer.text
    assert answer.text.endswith("（依据：嵊人社发〔2022〕35号 第1条）")


def test_aspects():
    assert detect_aspects("消费券现在还能用吗")[0] == "time"
    assert "how" in detect_aspects("要什么材料")
    assert "amount" in detect_aspects("能补多少钱")


def test_other_region_answer_points_to_12333():
    text = AnswerRenderer(REAL).other_region("上海")
    assert "上海" in text and "12333" in text and "嵊泗县" in text and "江苏省" in text
