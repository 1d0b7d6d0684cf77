"""What WeChat's voice-to-text gives us (no punctuation, homophones, numbers read out digit by
digit with 幺 for 1), read the way typed text is: by the normaliser, and through it by the parsers
of phones, amounts and ID numbers. The NLU half is the voice holdout (tests/nlu_holdout_voice.yml)."""

import datetime as dt

import pytest

from bot.complaints.fields import extract
from bot.complaints.parsing import parse_phone, read_amount
from bot.text.mask import mask_text
from bot.text.normalize import normalize, spoken_digits


@pytest.mark.parametrize(
    "heard, read",
    [
        ("嗯那个就是流工补贴怎么领", "嗯那个就是留工补贴怎么领"),
        ("生死县消费劝还能用吗", "嵊泗县消费券还能用吗"),
        ("胜似外麦小哥有不贴吗", "嵊泗外卖小哥有补贴吗"),
        ("我在剩四上班社宝能减吗", "我在嵊泗上班社保能减吗"),
        ("留工补住什么时候发", "留工补助什么时候发"),
        ("稳港补贴有吗", "稳岗补贴有吗"),
        ("包车反岗怎么报销", "包车返岗怎么报销"),
        ("老板欠新不给怎么办", "老板欠薪不给怎么办"),
        ("过年留生死有什么好处", "过年留嵊泗有什么好处"),
        ("回生死过年能领消费卷吗", "回嵊泗过年能领消费券吗"),
        ("那个流亮大礼包", "那个流量大礼包"),
    ],
)
def test_voice_homophones_are_read_as_the_words_meant(heard, read):
    assert normalize(heard) == read


@pytest.mark.parametrize(
    "heard, read",
    [
        ("我电话幺三九一二三四五六七八", "我电话13912345678"),
        ("幺二三三三打不通", "12333打不通"),
        ("身份证号三三零九二二一九九零零一零一一二三四", "身份证号330922199001011234"),
        ("查询码四八三九二零", "查询码483920"),
        ("二零二三年一月", "2023年1月"),
        ("欠了我一万二", "欠了我12000"),
        ("欠我六万块钱", "欠我60000块钱"),
        ("三个月每月五千五", "3个月每月5500"),
    ],
)
def test_numbers_read_out_become_digits(heard, read):
    assert normalize(heard) == read


@pytest.mark.parametrize(
    "words", ["一五一十说清楚", "九九八十一", "一二三四五六七八九十", "三五个人", "一一对应", "统一一下", "一线员工"]
)
def test_counting_and_words_with_numerals_are_not_digit_runs(words):
    assert spoken_digits(words) == words


def test_spoken_digits_keep_the_length_for_entity_offsets():
    heard = "手机幺八零二九九二四九四六谢谢"
    assert len(normalize(heard, keep_length=True)) == len(heard)
    assert normalize(heard, keep_length=True) == "手机18029924946谢谢"


def test_the_parsers_read_what_was_said():
    assert parse_phone("我电话是幺三九一二三四五六七八")[0] == "13912345678"
    assert read_amount("欠了我一万二").yuan == 12000
    found = extract("老板欠我三个月工资每个月六千块电话幺三九一二三四五六七八", dt.date(2023, 1, 20)).values
    assert found["phone"] == "13912345678" and found["amount"].yuan == 18000


@pytest.mark.parametrize(
    "heard, masked",
    [
        ("我电话幺三九一二三四五六七八", "我电话幺三九****五六七八"),
        ("身份证号三三零九二二一九九零零一零一一二三四", "身份证号三三零九二二********一二三四"),
        ("电话139一二三四五六七八", "电话139****五六七八"),  # recognisers mix digits and numerals
        ("电话幺三九1234五六七八", "电话幺三九****五六七八"),
        ("身份证330922一九九零零一零一1234", "身份证330922********1234"),
    ],
)
def test_numbers_read_out_are_masked_as_spoken(heard, masked):
    assert mask_text(heard) == masked
    assert mask_text(masked) == masked


@pytest.mark.parametrize("words", ["身份证好像丢了", "公司拖欠新员工工资", "违反岗位纪律"])
def test_homophone_fixes_leave_ordinary_phrases_alone(words):
    assert normalize(words) == words


@pytest.mark.parametrize(
    "words",
    [
        "第一二三批",
        "一二三季度",
        "周一三五上班",
        "一二三四月的工资",
        "三四五个月没发",
        "七八九个人",
        "五六个人包车",
        "一一二",
    ],
)
def test_ranges_lists_and_ordinals_are_not_numbers_read_out(words):
    """ "三四五个月" is three to five months, never 345; "七八九个人" is never 789 passengers."""
    assert normalize(words) == words


@pytest.mark.parametrize(
    "heard, read",
    [
        ("电话一三九，一二三四，五六七八", "电话139 1234 5678"),
        ("三三零九二二 一九九零 零一 零一 一二三四", "330922 1990 01 01 1234"),
        ("查询码幺二三 四五六", "查询码123 456"),
    ],
)
def test_numbers_read_out_in_groups_become_digits(heard, read):
    assert normalize(heard) == read
    assert len(normalize(heard, keep_length=True)) == len(heard)


@pytest.mark.parametrize(
    "heard",
    [
        "我电话一三九，一二三四，五六七八",
        "身份证三三零九二二，一九九零零一零一，一二三四",
        "身份证号三三零九二二一九九零零一零一一二三叉",
        "电话139，1234，5678",
    ],
)
def test_numbers_read_out_with_commas_or_a_spoken_x_are_masked(heard):
    masked = mask_text(heard)
    assert "****" in masked
    assert "五六七八" not in masked or "一二三四" not in masked
    assert not any(run in masked for run in ("一九九零零一零一", "1234，5678"))
