"""Phones and ID numbers however they are typed, masked by bot.text.mask.mask_text: in the text
itself, in the tracker store, in the complaint read-back and in every action reply (the logs:
tests/bot/test_logsafe.py). Things that are not personal data stay exactly as they were."""

import asyncio
import json
import re
import unicodedata
import urllib.parse

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.text.mask import mask_data, mask_text

PHONE_A = "18029924946"
PHONE_B = "18296724934"
ID_A = "410102198707071437"
ID_X = "11010519491231002X"
OLD_ID = "410102870707143"

# (as typed, the numbers inside it)
SPELLINGS = [
    ("电话180-2992-4946", [PHONE_A]),
    ("身份证410102-19870707-1437", [ID_A]),
    ("182 9672 4934", [PHONE_B]),
    ("+86 182 9672 4934", [PHONE_B]),
    ("+8618296724934", [PHONE_B]),
    ("0086-182-9672-4934", [PHONE_B]),
    ("0086 18296724934", [PHONE_B]),
    ("手机8618296724934", [PHONE_B]),
    ("（+86）180 2992 4946", [PHONE_A]),
    ("１８０２９９２４９４６", [PHONE_A]),
    ("１８０－２９９２－４９４６", [PHONE_A]),
    ("180\u200b2992\u200b4946", [PHONE_A]),
    ("1\u200c8\u200d0\u20602992\ufeff4946", [PHONE_A]),
    ("180\u200e2992\u200f4946", [PHONE_A]),
    ("\u202e180\u202c-2992-4946", [PHONE_A]),
    ("180\u20662992\u20694946", [PHONE_A]),
    ("180\u00ad2992\u00ad4946", [PHONE_A]),
    ("180.2992.4946", [PHONE_A]),
    ("180·2992·4946", [PHONE_A]),
    ("180。2992。4946", [PHONE_A]),
    ("180_2992_4946", [PHONE_A]),
    ("180/2992/4946", [PHONE_A]),
    ("180 – 2992 — 4946", [PHONE_A]),
    ("180\u30002992\u30004946", [PHONE_A]),
    ("180\xa02992\xa04946", [PHONE_A]),
    ("1 8 0 2 9 9 2 4 9 4 6", [PHONE_A]),
    ("我的手机是18029924946，谢谢", [PHONE_A]),
    ("18029924946是我的电话", [PHONE_A]),
    ("有事联系我：180 2992 4946", [PHONE_A]),
    ("电话18029924946一直打不通", [PHONE_A]),
    ("１８０\u200b２９９２ ４９４６", [PHONE_A]),
    ("𝟏𝟖𝟎𝟐𝟗𝟗𝟐𝟒𝟗𝟒𝟔", [PHONE_A]),
    ("١٨٠٢٩٩٢٤٩٤٦", [PHONE_A]),
    ("幺八零二九九二四九四六", [PHONE_A]),
    ("电话(180)2992-4946", [PHONE_A]),
    ("电话（180）2992 4946", [PHONE_A]),
    ("[180]-2992-4946", [PHONE_A]),
    ("身份证四一〇一〇二一九八七〇七〇七一四三七", [ID_A]),
    ("身份证号 四一〇 一〇二 一九八七 〇七〇七 一四三七", [ID_A]),
    ("一一〇一〇五一九四九一二三一〇〇二X", [ID_X]),
    ('/inform{"phone": "180 2992 4946"}', [PHONE_A]),
    ("身份证410102198707071437", [ID_A]),
    ("410102 19870707 1437", [ID_A]),
    ("４１０１０２１９８７０７０７１４３７", [ID_A]),
    ("身份证号：４１０１０２－１９８７０７０７－１４３７，请核实", [ID_A]),
    ("410102.1987.0707.1437", [ID_A]),
    ("ID410102198707071437", [ID_A]),
    ("11010519491231002X", [ID_X]),
    ("110105-19491231-002ｘ", [ID_X]),
    ("1101051949\u200b1231002X", [ID_X]),
    ("老身份证410102870707143", [OLD_ID]),
    ("电话180-2992-4946，身份证410102-19870707-1437", [PHONE_A, ID_A]),
    ("180 2992 4946 182 9672 4934", [PHONE_A, PHONE_B]),
    ("2023-01-15 410 102 198 707 071 437", [ID_A]),  # "15 410 102 198" would be a phone
    ("0580-5081234 410102 870707 143", [OLD_ID]),
    # as logs, repr() and URLs write them
    ('{"text": "180\\u200b2992\\u200b4946"}', [PHONE_A]),
    ("'180\\xa02992\\xa04946'", [PHONE_A]),
    ("\\uff11\\uff18\\uff10\\uff12\\uff19\\uff19\\uff12\\uff14\\uff19\\uff14\\uff16", [PHONE_A]),
    ("GET /lookup?phone=180%202992%204946", [PHONE_A]),
    ("q=180%E2%80%8B2992%E2%80%8B4946", [PHONE_A]),
]

NOT_PERSONAL = [
    "2023-01-15",
    "2023年1月15日",
    "2023年1月21日至2023年2月5日",
    "QX-20230115-0007",
    "HD-20261203-4821",
    "工单 QX-20230115-0007 查询码 482173",
    "6万",
    "13,500元",
    "1000元",
    "已发放 13500 元给 300 人",
    "0580-5081234",
    "12333",
    "电话 0580-5081234 或 12333",
    "嵊人社发〔2022〕35号 第1条",
    "苏人社函〔2021〕21号",
    "2023-01-15 13:45:12,345 INFO rasa.core.processor",
    "2023年(1月)发放，见[2023]12号文件（第3条）",
    "一二三四五六七八九十",
    "1700000000.12",
    "http://127.0.0.1:5005/webhooks/rest/webhook",
    "每人500元，2022年12月在嵊缴纳社会保险",
]

_CHINESE_DIGITS = dict(zip("零〇一二三四五六七八九幺", "001234567891"))
_MASKED = {11: range(3, 7), 15: range(6, 11), 18: range(6, 14)}


def digits_seen(text: str) -> str:
    """What a reader can get back from `text`: escapes decoded, every digit as ASCII, "*" kept
    (it separates what masking left), anything else dropped."""
    text = urllib.parse.unquote(text)
    text = re.sub(r"\\+(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2})", lambda m: chr(int(m.group(1)[1:], 16)), text)
    seen = []
    for char in text:
        if char in _CHINESE_DIGITS:
            seen.append(_CHINESE_DIGITS[char])
        elif unicodedata.category(char) == "Nd":
            seen.append(str(unicodedata.decimal(char)))
        elif char in "*Xx":
            seen.append(char.upper())
    return "".join(seen)


def assert_masked(output: str, numbers) -> None:
    """No number whole, and no 7 of its digits in a row that include a masked one."""
    seen = digits_seen(output)
    for number in numbers:
        assert number not in seen, output
        hidden = _MASKED[len(number)]
        for start in range(len(number) - 6):
            if any(i in hidden for i in range(start, start + 7)):
                assert number[start : start + 7] not in seen, (output, number[start : start + 7])


def test_the_table_is_big_enough():
    assert len(SPELLINGS) >= 30 and len(NOT_PERSONAL) >= 10


@pytest.mark.parametrize("text,numbers", SPELLINGS)
def test_every_spelling_is_masked(text, numbers):
    masked = mask_text(text)
    assert_masked(masked, numbers)
    assert masked.count("*") >= 4 * len(numbers)
    assert mask_text(masked) == masked  # masking twice changes nothing


@pytest.mark.parametrize("text", NOT_PERSONAL)
def test_what_is_not_personal_data_is_left_alone(text):
    assert mask_text(text) == text


@pytest.mark.parametrize(
    "typed,shown",
    [
        ("电话180-2992-4946", "电话180****4946"),
        ("身份证410102-19870707-1437", "身份证410102********1437"),
        ("182 9672 4934", "182****4934"),
        ("+86 182 9672 4934", "+86 182****4934"),
        ("0086-182-9672-4934", "0086 182****4934"),
        ("我的手机是１８０\u200b２９９２\u200b４９４６，谢谢", "我的手机是180****4946，谢谢"),
        ("11010519491231002X", "110105********002X"),
        ("老身份证410102870707143", "老身份证410102*****7143"),
        ("幺八零二九九二四九四六", "幺八零****四九四六"),
        ('{"text": "180\\u200b2992\\u200b4946"}', '{"text": "180****4946"}'),
    ],
)
def test_the_masked_form_is_simple(typed, shown):
    assert mask_text(typed) == shown


def test_a_number_glued_to_more_digits_is_not_a_phone():
    assert mask_text("订单号180299249461") == "订单号180299249461"
    assert mask_text("5\u200b18029924946") == "5\u200b18029924946"  # one number, 12 digits


def test_structures_are_masked_throughout():
    data = {
        "text": "180 2992 4946",
        "entities": [{"value": "410102-19870707-1437"}],
        f"key {PHONE_A}": (1, int(PHONE_A)),
        "confidence": 0.93,
        "ok": True,
    }
    masked = mask_data(data)
    assert masked == {
        "text": "180****4946",
        "entities": [{"value": "410102********1437"}],
        "key 180****4946": (1, "180****4946"),
        "confidence": 0.93,
        "ok": True,
    }


# ---- in the tracker store ---------------------------------------------------------------------


def test_every_spelling_is_masked_in_the_tracker_store(tmp_path):
    from bot.tracker_store import MaskingTrackerStore

    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    domain = Domain.from_yaml("version: '3.1'\nslots:\n  s:\n    type: any\n    mappings: [{type: custom}]\n")
    store = MaskingTrackerStore(domain, url=url)
    events = [ActionExecuted("action_listen")]
    for text, _ in SPELLINGS:
        events += [
            UserUttered(
                text,
                {"name": "inform", "confidence": 0.9},
                [{"entity": "phone", "value": text, "start": 0, "end": len(text)}],
                metadata={"said": text},
            ),
            SlotSet("s", text),
            BotUttered(f"您说的是：{text}", {"quoted": text}),
        ]
    tracker = DialogueStateTracker.from_events("spellings", events)
    try:
        asyncio.run(store.save(tracker))
        with store.engine.connect() as connection:
            stored = [
                json.loads(data)
                for data in connection.execute(sa.text("SELECT data FROM events ORDER BY id")).scalars()
            ]
    finally:
        store.engine.dispose()
    assert len(stored) == len(events)
    for index, (text, numbers) in enumerate(SPELLINGS):
        for event in stored[1 + 3 * index : 4 + 3 * index]:
            assert_masked(json.dumps(event, ensure_ascii=False), numbers)


# ---- in replies ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text,numbers", SPELLINGS)
def test_the_complaint_read_back_never_quotes_a_number_whole(store_url, book, text, numbers):
    import datetime as dt

    from bot.complaints.dialogue import SLOTS, ComplaintIntake
    from bot.complaints.service import ComplaintService

    day = dt.date(2023, 1, 15)
    intake = ComplaintIntake(ComplaintService(store_url, clock=lambda: day), book, today=lambda: day)
    step = intake.take("spellings", f"老板跑了，{text}", "inform", asked="description")
    read_back = ComplaintIntake.summary(step.slots)
    assert "情况说明" in read_back and step.slots[SLOTS["description"]]
    assert_masked(read_back, numbers)
    # What the other fields quote back is masked too, e.g. a site typed with a number in it.
    step = intake.take("spellings", f"在{text}码头干活", "inform", asked="site")
    assert_masked(ComplaintIntake.summary(step.slots), numbers)


def test_replies_mask_everything_a_message_carries():
    from rasa_sdk.executor import CollectingDispatcher

    from actions.base import Replies

    for text, numbers in SPELLINGS:
        dispatcher = CollectingDispatcher()
        Replies(dispatcher)(f"您提供的是{text}", buttons=[{"title": text, "payload": "/affirm"}])
        assert_masked(json.dumps(dispatcher.messages, ensure_ascii=False), numbers)
    dispatcher = CollectingDispatcher()
    Replies(dispatcher)("工单号：QX-20230115-0007，热线12333")
    assert dispatcher.messages[0]["text"] == "工单号：QX-20230115-0007，热线12333"


def test_every_action_reply_is_masked():
    """An action quoting what the user typed (the read-back quotes the slots; these are forged,
    unmasked) sends it masked: BotAction.run speaks through Replies."""
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.complaints import ActionAskComplaintConfirmed

    for text, numbers in SPELLINGS:
        slots = {
            "complaint_name": text,
            "complaint_site": f"在{text}码头",
            "complaint_description": f"老板跑了，{text}",
        }
        tracker = Tracker("masking", slots, {"text": "确认"}, [], False, None, {}, "action_listen")
        dispatcher = CollectingDispatcher()
        asyncio.run(ActionAskComplaintConfirmed().run(dispatcher, tracker, {}))
        assert "请核对" in dispatcher.messages[0]["text"]
        assert_masked(json.dumps(dispatcher.messages, ensure_ascii=False), numbers)


def test_every_action_speaks_through_replies():
    """Every action the action server registers (each Action subclass in the actions package)
    is a BotAction and keeps its run(): none gets the dispatcher itself."""
    import importlib
    import pkgutil

    from rasa_sdk import Action
    from rasa_sdk.utils import all_subclasses

    import actions
    from actions.base import BotAction

    for module in pkgutil.iter_modules(actions.__path__):
        importlib.import_module(f"actions.{module.name}")
    ours = [cls for cls in all_subclasses(Action) if cls.__module__.startswith("actions.")]
    assert len(ours) >= 30
    for cls in ours:
        assert issubclass(cls, BotAction) and cls.run is BotAction.run, cls


def test_a_ticket_number_next_to_its_date_is_never_taken_for_an_id_number():
    """The status reply "QX-20230120-1685（2023-01-20登记）": ticket numbers are drawn at random, so
    every one of them is tried (one did mask as an ID through the loose spoken-number pattern)."""
    for n in range(10000):
        text = f"您的欠薪投诉 QX-20230120-{n:04d}（2023-01-20登记）当前状态：处理中"
        assert mask_text(text) == text, text
