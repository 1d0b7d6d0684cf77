import pytest

from bot.text.normalize import normalize, numbers_to_digits, to_halfwidth, to_simplified


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("留工補助怎麼領？", "留工补助怎么领?"),
        ("消費券還能用嗎", "消费券还能用吗"),
        ("消费券１０００元", "消费券1000元"),
        ("１０Ｇ流量", "10G流量"),
        ("一千元消费券", "1000元消费券"),
        ("1k的消费券", "1000的消费券"),
        ("欠了一万二", "欠了12000"),
        ("1.2万", "12000"),
        ("欠我三个月工资每月四千", "欠我3个月工资每月4000"),
        ("两千块", "2000块"),
        ("十人以上包车", "10人以上包车"),
        ("五百块的补助", "500块的补助"),
        ("欠了1万2", "欠了12000"),
        ("1万2千块", "12000块"),
        ("每月3千5", "每月3500"),
        ("工资5000一个月", "工资5000一个月"),
        ("5万3千2百", "53200"),
        ("2w5", "25000"),
    ],
)
def test_normalize_rewrites_what_workers_type(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("word", ["一次性留工补助", "一线员工", "千万别忘了", "一地受理", "统一", "一企一策"])
def test_words_containing_numerals_are_left_alone(word):
    assert normalize(word) == word


def test_keep_length_only_maps_characters():
    raw = "我叫王大力，身份證號３３０９２２"
    out = normalize(raw, keep_length=True)
    assert len(out) == len(raw)
    assert out == "我叫王大力,身份证号330922"


def test_fullwidth_space_and_punctuation():
    assert to_halfwidth("Ａ　Ｂ！") == "A B!"


def test_simplified_text_is_unchanged():
    text = "嵊泗县规上工业企业一线员工"
    assert to_simplified(text) == text
    assert normalize("") == ""


def test_numbers_inside_dates_and_amounts():
    assert numbers_to_digits("二〇二三年一月") == "2023年1月"
