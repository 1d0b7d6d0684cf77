"""Normalise what users type before NLU sees it.

Workers type on phones: traditional characters, full-width digits and letters, Chinese numerals
("一千", "一万二", "三个月"), shorthand ("1k", "1.2w", "1.2万"). NLU and the entity parsers see one
canonical form: simplified characters, half-width ASCII, Arabic numbers.

Voice input (WeChat's transcript of a voice message) has its own slips: no punctuation, homophones
("流工" for 留工, "生死县" for 嵊泗县) and numbers read out digit by digit, with "幺" for 1
("幺三九…" for a phone, "幺二三三三" for the hotline). A run of three or more single Chinese digits
becomes Arabic digits, so the phone, ID and amount parsers read it like typed digits.

`normalize(text, keep_length=True)` applies only the character-for-character steps (width,
traditional-to-simplified, homophones, spoken digit runs), so that entity offsets annotated on the
original text stay valid.
"""

from __future__ import annotations

import functools
import re

import cn2an
from opencc import OpenCC

_FULLWIDTH_OFFSET = 0xFEE0
_DIGITS = "零〇一二两三四五六七八九"
_NUMERAL_CHARS = _DIGITS + "十百千万亿"
# A Chinese number starts with a digit or 十 (never 千/万/百: "千万别…" is not a number).
_CN_NUMBER = re.compile(rf"[{_DIGITS}十][{_NUMERAL_CHARS}]*")
# Units after which a Chinese numeral is read as a quantity ("一线", "一次性" are words).
_QUANTITY_UNIT = re.compile(r"(?:块钱|块|元|个月|个人|个|月|人|名|位|岁|G|g|天|号|日|年|周|倍|趟|辆|家|条|项|%|w|k)")
# Digit-unit chains: "1万2" = 12000, "1万2千" = 12000, "3千5" = 3500, "5万3千2百" = 53200.
_UNIT_VALUE = {"万": 10_000, "w": 10_000, "W": 10_000, "千": 1_000, "k": 1_000, "K": 1_000, "百": 100}
_MIXED = re.compile(r"(?:\d+(?:\.\d+)?[万wW千kK百]){1,3}\d*(?![\d.a-zA-Z])")
_MIXED_PART = re.compile(r"(\d+(?:\.\d+)?)([万wW千kK百])")
_SHORTHAND = re.compile(r"(\d+(?:\.\d+)?)\s*([kKwW万千])(?![a-zA-Z])")
_SHORTHAND_FACTOR = {"k": 1_000, "K": 1_000, "千": 1_000, "w": 10_000, "W": 10_000, "万": 10_000}


@functools.lru_cache(maxsize=1)
def _converter() -> OpenCC:
    return OpenCC("t2s")


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (Ｕ+FF01..FF5E) and the ideographic space become half-width."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - _FULLWIDTH_OFFSET))
        elif code == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


# Slips of voice input and typing that hide a word NLU and the policy data know (same length, so
# character offsets stay valid): "流工补贴" said as 留工补贴, "剩四" heard for 嵊泗, "甚么" for 什么.
HOMOPHONES = {
    "甚么": "什么",
    "流工": "留工",
    "剩四": "嵊泗",
    "胜似": "嵊泗",
    "圣泗": "嵊泗",
    "盛泗": "嵊泗",
    "嵊四": "嵊泗",
    "生死县": "嵊泗县",
    "消费劝": "消费券",
    "消费卷": "消费券",
    "不贴": "补贴",
    "补帖": "补贴",
    "社宝": "社保",
    "外麦": "外卖",
    "留胜": "留嵊",
    "流亮": "流量",
    "消废卷": "消费券",
    "消废券": "消费券",
    # heard by voice-to-text (only with the context that makes them safe: "身份证好像丢了",
    # "拖欠新员工", "违反岗位" are ordinary Chinese)
    "留工补住": "留工补助",
    "稳港": "稳岗",
    "身份证好是": "身份证号是",
    "身份证好码": "身份证号码",
    "车反岗": "车返岗",
    "反岗补": "返岗补",
    "欠新不": "欠薪不",
    "欠新了": "欠薪了",
    "板欠新": "板欠薪",
    "欠新投诉": "欠薪投诉",
    "留生死": "留嵊泗",
    "回生死": "回嵊泗",
    "生死本地": "嵊泗本地",
}
_HOMOPHONE = re.compile("|".join(map(re.escape, sorted(HOMOPHONES, key=len, reverse=True))))


def fix_homophones(text: str) -> str:
    return _HOMOPHONE.sub(lambda m: HOMOPHONES[m.group(0)], text)


# Numbers read out digit by digit ("幺三九…" for a phone, "二零二三" for a year), as voice-to-text
# writes them, often in groups with spaces or commas between ("三三零九二二，一九九零零一零一，…").
# A run becomes Arabic digits, one character for one (the commas inside it become spaces), when it
# is long enough to be a number read out: 6 or more digits in all (a phone, an ID, a 查询码 read in
# groups); or one group of 4 or 5 that is not a count or an ordinal ("一二三四月", "三四五个月", "第一二三批",
# "周一三五" stay words: those are ranges and lists). Runs next to a magnitude ("一五一十", "九九八十一",
# "四五六百") are left to cn2an.
_SPOKEN_DIGIT_VALUE = {
    "零": "0",
    "〇": "0",
    "一": "1",
    "幺": "1",
    "二": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}
_SPOKEN = "零〇一幺二三四五六七八九"
_SPOKEN_RUN = re.compile(
    rf"(?<![十百千万亿点{_SPOKEN}0-9])[{_SPOKEN}]+(?:[ ,，、]{{1,2}}[{_SPOKEN}]+)*"
    rf"(?![十百千万亿点{_SPOKEN}0-9])"
)
_SPOKEN_TABLE = str.maketrans({**_SPOKEN_DIGIT_VALUE, "，": " ", ",": " ", "、": " "})
_COUNTED = re.compile(r"[个月人天号批季线类档等名位岁次条项家辆趟倍成周]")
_ORDINAL = ("第", "周", "星期", "礼拜")


def spoken_digits(text: str) -> str:
    """ "幺三九一二三四五六七八" → "13912345678", "一三九，一二三四，五六七八" → "139 1234 5678", one character
    for one character; counts, ranges and ordinals ("一二三四月", "第一二三批") stay as they are."""

    def convert(match: re.Match) -> str:
        run = match.group(0)
        digits = sum(ch in _SPOKEN for ch in run)
        if digits >= 6:
            return run.translate(_SPOKEN_TABLE)
        if digits < 4 or not all(ch in _SPOKEN for ch in run):
            return run
        before, after = text[: match.start()], text[match.end() : match.end() + 1]
        if before.endswith(_ORDINAL) or _COUNTED.match(after):
            return run
        return run.translate(_SPOKEN_TABLE)

    return _SPOKEN_RUN.sub(convert, text)


def to_simplified(text: str) -> str:
    """Traditional to simplified Chinese, one character for one character."""
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    # A phrase rule changed the length: fall back to per-character conversion.
    return "".join(_converter().convert(ch) or ch for ch in text)


def _chinese_number(match: re.Match) -> str:
    run = match.group(0)
    if match.start() > 0 and match.string[match.start() - 1].isdigit():
        return run  # "5000一个月": converting would glue two numbers together
    following = match.string[match.end() : match.end() + 2]
    if len(run) >= 2 and all(ch in _DIGITS for ch in run) and not set(run) & set("零〇"):
        return run  # "五六个人", "三四五个月", "一二三四月": a range or a list, never 56 or 345
    has_magnitude = any(ch in run for ch in "百千万亿")
    is_quantity = bool(_QUANTITY_UNIT.match(following))
    if not (is_quantity or (has_magnitude and len(run) >= 2)):
        return run
    if len(run) == 1 and run in "两":
        value = 2
    else:
        try:
            value = cn2an.cn2an(run, "smart")
        except (ValueError, KeyError):
            return run
    return str(int(value)) if float(value).is_integer() else str(value)


def _mixed_number(match: re.Match) -> str:
    text = match.group(0)
    parts = _MIXED_PART.findall(text)
    if len(parts) == 1 and not text[len("".join(parts[0])) :]:
        return text  # a plain "1万": left to the shorthand rule
    total, last_unit = 0.0, 1
    for number, unit in parts:
        last_unit = _UNIT_VALUE[unit]
        total += float(number) * last_unit
    tail = text[sum(len(n) + len(u) for n, u in parts) :]
    if tail:
        total += int(tail) * (last_unit // 10)
    return str(int(total)) if total.is_integer() else str(total)


def _shorthand_number(match: re.Match) -> str:
    value = float(match.group(1)) * _SHORTHAND_FACTOR[match.group(2)]
    return str(int(value)) if value.is_integer() else str(value)


def numbers_to_digits(text: str) -> str:
    """ "一千" → "1000", "一万二" → "12000", "三个月" → "3个月", "1k"/"1.2万" → "1000"/"12000"."""
    text = _CN_NUMBER.sub(_chinese_number, text)
    text = _MIXED.sub(_mixed_number, text)
    return _SHORTHAND.sub(_shorthand_number, text)


def normalize(text: str, keep_length: bool = False) -> str:
    """The canonical form NLU sees. `keep_length` keeps character offsets unchanged."""
    if not text:
        return text
    text = spoken_digits(fix_homophones(to_simplified(to_halfwidth(text))))
    if keep_length:
        return text
    return numbers_to_digits(text)
