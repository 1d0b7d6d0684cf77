"""The one complaint draft model (bot/complaints/draft.py): its limits, the console's reading of a
form, and the same verdict as the chat's reading of a message for the same figure."""

import datetime as dt
from decimal import Decimal

import pytest

from bot.complaints.draft import (
    FIELDS,
    LABELS,
    NOT_GIVEN,
    TABLE,
    accepts,
    form_errors,
    form_values,
    merge,
    note_skipped,
    read_form,
)
from bot.complaints.fields import EXAMPLES, OUT_OF_RANGE, PROBLEMS, extract
from bot.complaints.parsing import Amount, Months, parse_months
from bot.complaints.service import Draft

DAY = dt.date(2023, 1, 20)
REGISTERED = {"华利水产": ("嵊泗县华利水产有限公司", "91330922MA2A00001T")}


def test_the_chat_reads_its_labels_and_messages_from_the_one_table():
    assert FIELDS == tuple(PROBLEMS) == tuple(EXAMPLES) == tuple(LABELS)
    assert all(PROBLEMS[key] == TABLE[key].problem and LABELS[key] == TABLE[key].label for key in FIELDS)
    assert OUT_OF_RANGE == {"amount": TABLE["amount"].out_of_range, "workers": TABLE["workers"].out_of_range}
    assert LABELS["phone"] == "手机号" and TABLE["phone"].form_label == "电话"  # the chat's word, the console's


def test_merge_cuts_every_text_to_its_limit_and_masks_the_description():
    draft = Draft()
    merge(
        draft,
        {
            "name": "王" * 100,
            "employer": "某" * 300,
            "site": "码头" * 150,
            "description": "电话13912345678，" + "老板跑了" * 800,
            "callback_time": "上午" * 80,
        },
        REGISTERED.get,
    )
    assert len(draft.name) == TABLE["name"].limit == 64
    assert draft.firm_name == "某" * 200 and draft.firm_credit_code is None  # an unknown firm is kept as typed
    assert len(draft.work_site) == 200 and len(draft.callback_time) == 100
    assert len(draft.description) == 2000 and "13912345678" not in draft.description


def test_merge_matches_a_registered_firm_and_words_an_amount_for_its_channel():
    chat, console = Draft(), Draft()
    amount = Amount(Decimal("12000.00"), per_month=Decimal("4000.00"), months=3)
    merge(chat, {"employer": "华利水产", "amount": amount, "months": Months((), 3)}, REGISTERED.get)
    merge(console, {"employer": "华利水产", "amount": amount}, REGISTERED.get, said={"amount": "一万二" * 50})
    assert (
        (chat.firm_name, chat.firm_credit_code)
        == REGISTERED["华利水产"]
        == (
            console.firm_name,
            console.firm_credit_code,
        )
    )
    assert chat.amount_yuan == console.amount_yuan == "12000.00"
    assert chat.amount_text == "12000元（每月4000元×3个月）"  # the chat's wording
    assert console.amount_text == ("一万二" * 50)[:100]  # what the agent typed, to its limit
    assert chat.months == [] and chat.months_count == 3


def test_skipped_fields_are_noted_and_unskipped_when_answered_later():
    draft = Draft()
    assert note_skipped(draft, {"site": NOT_GIVEN, "name": "王大力"}) == {"name": "王大力"}
    assert draft.skipped == ["site"]
    note_skipped(draft, {"site": "某某码头"})
    assert draft.skipped == []


def test_the_console_form_reads_each_box_and_explains_what_is_wrong_by_field():
    reading = read_form(
        {"name": "王大力", "phone": "1391234", "amount": "不知道多少", "months": "好久", "workers": "很多"}, DAY
    )
    assert reading.values == {"name": "王大力"}
    assert set(reading.problems) == {"phone", "amount", "months", "workers"}
    errors = form_errors(reading.problems, ["phone", "firm_name"])
    assert errors[1:] == [
        "欠薪金额：没看懂，请写成例如“12000”或“一万二”",
        "欠薪月份：没看懂，请写成例如“2022-10、2022-11”或“3个月”",
        "涉及人数：请填 1 到 100000 之间的整数",
        "电话：必填",
        "欠薪单位：必填",
    ]
    assert errors[0].startswith("电话：")


def test_a_draft_shows_in_the_console_boxes_as_it_reads_back():
    draft = Draft(name="王大力", firm_name="华利水产", months_count=3, workers=12, cannot_go_home=True)
    values = form_values(draft)
    assert values["months"] == "3个月" and values["workers"] == "12" and values["cannot_go_home"] == "1"
    again = read_form(values, DAY)
    assert again.problems == {}
    assert again.values["months"].count == 3 and again.values["workers"] == 12 and again.values["name"] == "王大力"


def test_months_the_console_shows_read_back():
    values = form_values(Draft(months=["2022-10", "2022-11"]))
    assert values["months"] == "2022-10、2022-11"  # the format the page's placeholder asks for too
    assert read_form(values, DAY).values["months"].months == ("2022-10", "2022-11")
    assert read_form({"months": "2022-11至2023-01"}, DAY).values["months"].months == ("2022-11", "2022-12", "2023-01")
    assert read_form({"months": "2022/12"}, DAY).values["months"].months == ("2022-12",)


@pytest.mark.parametrize(
    "text, months",
    [
        ("老板欠我2020.5元工资", None),  # an amount, not May 2020
        ("去年10月到12月的工资，单据编号2021-3", ("2022-10", "2022-11", "2022-12")),
        ("2022-10、2022-11", ("2022-10", "2022-11")),
    ],
)
def test_the_console_month_form_is_read_only_as_a_whole_answer(text, months):
    found = parse_months(text, DAY)
    assert (found.months if found else None) == months


@pytest.mark.parametrize("workers", ["0", "1", "100000", "100001", "9" * 50])
def test_chat_and_console_give_the_same_verdict_on_a_headcount(workers):
    chat = extract(workers, DAY, asked="workers")
    console = read_form({"workers": workers}, DAY)
    assert ("workers" in chat.values) == ("workers" in console.values) == accepts("workers", int(workers))
    if "workers" not in chat.values:
        assert chat.problem == TABLE["workers"].out_of_range
        assert console.problems["workers"] == TABLE["workers"].form_out_of_range


@pytest.mark.parametrize("amount", ["12000元", "1元", "10000000元", "10000001元", "9" * 40 + "元"])
def test_chat_and_console_give_the_same_verdict_on_an_amount(amount):
    chat = extract(amount, DAY, asked="amount")
    console = read_form({"amount": amount}, DAY)
    assert ("amount" in chat.values) == ("amount" in console.values)
    if "amount" not in chat.values:
        assert chat.problem == TABLE["amount"].out_of_range
        assert console.problems["amount"] == TABLE["amount"].form_out_of_range
