"""Complaint details as complainants type them, alone or several in one message."""

import datetime as dt
from decimal import Decimal

import pytest

from bot.complaints.fields import NOT_GIVEN, chinese_number, extract, extract_correction

TODAY = dt.date(2023, 1, 15)


def values(text, asked=None):
    return extract(text, TODAY, asked).values


def test_everything_in_one_message():
    found = values("我叫王大力，电话13912345678，嵊泗某水产公司欠我三个月工资一共一万二")
    assert found["name"] == "王大力"
    assert found["phone"] == "13912345678"
    assert found["employer"] == "嵊泗某水产公司"
    assert found["amount"].yuan == Decimal("12000")
    assert found["months"].count == 3


def test_site_workers_and_the_way_home_in_one_message():
    result = extract("我在舟山某建筑工地干活，我们十几个工友都没拿到工资，过年都回不了家", TODAY)
    assert result.values["site"] == "舟山某建筑工地"
    assert result.values["workers"] == 10
    assert result.cannot_go_home


@pytest.mark.parametrize("text", ["老板欠我工资", "我要投诉公司欠薪", "我是农民工，老板欠薪", "拖欠工资怎么投诉"])
def test_a_bare_complaint_fills_nothing(text):
    assert values(text) == {}


@pytest.mark.parametrize(
    "text, name",
    [
        ("王大力", "王大力"),
        ("我叫李秀英", "李秀英"),
        ("姓名：欧阳娜娜", "欧阳娜娜"),
        ("俺叫黄建国", "黄建国"),
        ("名字是张伟", "张伟"),
        ("我是陈静", "陈静"),
        ("Zhang Wei", "Zhang Wei"),
    ],
)
def test_names_when_asked(text, name):
    assert values(text, "name")["name"] == name


@pytest.mark.parametrize("text", ["我是农民工", "不知道", "老板跑了"])
def test_what_is_not_a_name_is_asked_again(text):
    result = extract(text, TODAY, "name")
    assert "name" not in result.values and "姓名" in result.problem


@pytest.mark.parametrize(
    "text, phone",
    [
        ("13912345678", "13912345678"),
        ("139 1234 5678", "13912345678"),
        ("139-1234-5678", "13912345678"),
        ("+86 13912345678", "13912345678"),
        ("手機１３９１２３４５６７８", "13912345678"),
    ],
)
def test_phones(text, phone):
    assert values(text, "phone")["phone"] == phone


@pytest.mark.parametrize(
    "text, problem", [("1391234567", "11位"), ("12912345678", "第二位"), ("不告诉你", "11位手机号")]
)
def test_bad_phones_get_a_reason(text, problem):
    result = extract(text, TODAY, "phone")
    assert "phone" not in result.values and problem in result.problem


def test_a_bad_phone_in_passing_is_reported_too():
    result = extract("我叫王大力，电话1391234567", TODAY)
    assert result.values == {"name": "王大力"} and "11位" in result.problem


@pytest.mark.parametrize(
    "text, employer",
    [
        ("嵊泗县某某渔业有限公司", "嵊泗县某某渔业有限公司"),
        ("包工头老张", "包工头老张"),
        ("在苏州某电子厂打工，厂里欠了两个月工资", "苏州某电子厂"),
        ("单位是舟山顺达物流有限公司", "舟山顺达物流有限公司"),
        ("老板是嵊泗某水产公司的", "嵊泗某水产公司"),
    ],
)
def test_employers(text, employer):
    assert values(text, "employer")["employer"] == employer


@pytest.mark.parametrize(
    "text, site",
    [
        ("菜园镇某码头", "菜园镇某码头"),
        ("在洋山镇某小区工地干活", "洋山镇某小区工地"),
        ("工地在嵊泗县城那边", "嵊泗县城那边"),
        ("项目是泗礁岛污水管网工程", "泗礁岛污水管网工程"),
    ],
)
def test_sites(text, site):
    assert values(text, "site")["site"] == site


@pytest.mark.parametrize("field", ["site", "amount", "months", "description"])
@pytest.mark.parametrize("text", ["跳过", "不知道", "不清楚", "没有", "忘了"])
def test_optional_fields_can_be_skipped(field, text):
    assert values(text, field) == {field: NOT_GIVEN}


@pytest.mark.parametrize("field", ["name", "phone", "employer", "workers"])
def test_required_fields_cannot_be_skipped(field):
    assert values("跳过", field).get(field) in (None,)


@pytest.mark.parametrize(
    "text, workers",
    [
        ("15", 15),
        ("15个人", 15),
        ("我们10个工友", 10),
        ("就我一个", 1),
        ("只有我", 1),
        ("十几个", 10),
        ("二十多个工人", 20),
        ("两个人", 2),
        ("一共三十个", 30),
    ],
)
def test_workers(text, workers):
    assert values(text, "workers")["workers"] == workers


@pytest.mark.parametrize(
    "text, yuan",
    [
        ("一万二", "12000"),
        ("1.2万", "12000"),
        ("12000元", "12000"),
        ("三个月工资每月四千", "12000"),
        ("被欠了两万块工资", "20000"),
        ("六千多", "6000"),
    ],
)
def test_amounts(text, yuan):
    assert values(text, "amount")["amount"].yuan == Decimal(yuan)


def test_a_monthly_wage_gives_the_months_too():
    found = values("三个月工资每月四千", "amount")
    assert found["months"].count == 3 and found["amount"].per_month == Decimal("4000")


def test_months_when_asked():
    assert values("去年10月到12月", "months")["months"].months == ("2022-10", "2022-11", "2022-12")


def test_small_numbers_in_passing_are_not_money():
    assert "amount" not in values("我们10个工友都没拿到工资")


@pytest.mark.parametrize(
    "text, field, value",
    [
        ("电话写错了，是13987654321", "phone", "13987654321"),
        ("手机号不对，应该是15867021234", "phone", "15867021234"),
        ("名字错了，叫王小明", "name", "王小明"),
        ("单位写错了，是舟山某渔业公司", "employer", "舟山某渔业公司"),
        ("人数是20个人", "workers", 20),
        ("地点改成菜园镇某码头", "site", "菜园镇某码头"),
    ],
)
def test_corrections_name_the_field(text, field, value):
    assert extract_correction(text, TODAY).values[field] == value


def test_corrected_amount_and_months():
    assert extract_correction("金额改成一万五", TODAY).values["amount"].yuan == Decimal("15000")
    assert extract_correction("月份是11月到12月", TODAY).values["months"].months == ("2022-11", "2022-12")


def test_a_correction_without_a_value_says_what_to_write():
    result = extract_correction("电话写错了", TODAY)
    assert not result.values and "手机号" in result.problem


def test_a_bare_no_at_the_read_back_changes_nothing():
    result = extract_correction("不对", TODAY)
    assert not result.values and result.problem is None


@pytest.mark.parametrize("text, number", [("十", 10), ("十几", None), ("二十", 20), ("三百二十五", 325), ("两", 2)])
def test_chinese_numbers(text, number):
    assert chinese_number(text) == number
