"""bot.text.clean: what every channel hands to Rasa, for hostile and ordinary input alike."""

import unicodedata

import pytest

from bot.text.clean import MAX_CHARS, clean_user_text, safe_bot_messages, safe_reply_text

# (what a user sends, what Rasa gets)
CASES = [
    ("嵊泗的消费券现在还能用吗？", "嵊泗的消费券现在还能用吗？"),
    ("嵊泗消費券現在還能用嗎", "嵊泗消費券現在還能用嗎"),  # traditional characters stay as typed
    ("老板欠我工资😭😭", "老板欠我工资😭😭"),
    ("👨\u200d👩\u200d👧 一家人留嵊过年", "👨👩👧 一家人留嵊过年"),  # the joiner is a format character
    ("１２０００元", "１２０００元"),  # full-width stays: the NLU normaliser reads it
    ("留工补助\ud800怎么领", "留工补助怎么领"),  # lone high surrogate
    ("\udfff", ""),  # lone low surrogate only
    ("留工\x00补助", "留工补助"),  # NUL
    ("\x1b[31m红色\x1b[0m", "[31m红色[0m"),  # ANSI escape: the ESC goes, the rest is text
    ("欠薪\x07\x08\x7f投诉", "欠薪投诉"),  # bell, backspace, DEL
    ("工资\x85\x9b拖欠", "工资 拖欠"),  # C1 controls (NEL is whitespace)
    ("abc\u202edlrow", "abcdlrow"),  # right-to-left override
    ("\u2066隔离\u2069\u200e\u200f", "隔离"),  # bidi isolates and marks
    ("\u200b" * 500, ""),  # 500 zero-width spaces
    ("\u200b" * 500 + "你好", "你好"),
    ("\ufeff你好\u2060", "你好"),  # BOM, word joiner
    ("你\U000e0041好", "你好"),  # tag character
    ("\ufdd0\uffff你好\U0010fffe", "你好"),  # noncharacters
    ("  多个\t\t空格\n\n换行\r\n结尾  ", "多个 空格 换行 结尾"),
    ("\u3000全角空格\u3000", "全角空格"),
    ("段落\u2028分隔\u2029", "段落 分隔"),
    ("/restart", "restart"),  # Rasa's intent shortcut: never executed
    ('/intent{"x":1}', 'intent{"x":1}'),
    ('  /greet{"region": "嵊泗"}', 'greet{"region": "嵊泗"}'),
    ("／restart", "restart"),  # full-width: the NLU normaliser would turn it back into "/"
    ("\u200b/restart", "restart"),  # hidden behind a zero-width space
    ("/ / //restart", "restart"),
    ("/", ""),
    ("3000/月，欠了3个月", "3000/月，欠了3个月"),  # a slash inside the text is text
    ("<script>alert(1)</script>", "＜script＞alert(1)＜/script＞"),
    ("<img src=x onerror=alert(1)>", "＜img src=x onerror=alert(1)＞"),
    ("9" * 40 + "元", "9" * 40 + "元"),  # numbers stay: the parsers re-ask with the range
    ("e\u0301", "é"),  # NFC
    ("Z" + "\u0336" * 50, "Z" + "\u0336" * 3),  # combining-mark tower
    ("", ""),
    ("   \t\n ", ""),
    (None, ""),
    (12000, ""),
    (["你好"], ""),
]


@pytest.mark.parametrize("raw,expected", CASES, ids=[repr(c[0])[:40] for c in CASES])
def test_clean_user_text(raw, expected):
    assert clean_user_text(raw) == expected


def test_long_text_is_cut_to_max_chars():
    assert clean_user_text("9" * 5000) == "9" * MAX_CHARS
    assert len(clean_user_text("欠薪" * 5000)) == MAX_CHARS
    assert clean_user_text("字" * 999 + " " + "尾" * 10) == "字" * 999  # no trailing space after the cut


def test_a_huge_message_is_cleaned_quickly():
    assert clean_user_text("\u200b" * 1_000_000) == ""
    assert clean_user_text("\u200b" * 10 + "你好" * 1_000_000) == "你好" * (MAX_CHARS // 2)


def test_the_result_is_always_safe():
    hostile = "".join(chr(c) for c in range(0, 0x3000)) + "\ud800\udc00\U0001f600" + "/restart"
    for text in (hostile, hostile[::-1], "/" + hostile):
        cleaned = clean_user_text(text)
        assert len(cleaned) <= MAX_CHARS
        assert not cleaned.startswith(("/", "／", " ")) and cleaned == cleaned.strip()
        assert "<" not in cleaned and ">" not in cleaned
        assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in cleaned)
        cleaned.encode("utf-8")  # no lone surrogate left
        assert clean_user_text(cleaned) == cleaned  # idempotent


def test_bot_replies_never_carry_markup():
    assert safe_reply_text("您说的单位是<script>") == "您说的单位是＜script＞"
    assert safe_reply_text(None) is None
    messages = [{"recipient_id": "u", "text": "<b>x</b>"}, {"recipient_id": "u", "image": "http://x/y.png"}]
    assert safe_bot_messages(messages) == [
        {"recipient_id": "u", "text": "＜b＞x＜/b＞"},
        {"recipient_id": "u", "image": "http://x/y.png"},
    ]
