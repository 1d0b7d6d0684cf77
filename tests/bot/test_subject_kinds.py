"""One rule for "person or firm": an 18-character subject is whichever of GB 11643 / GB 32100 it passes."""

import datetime as dt
import itertools
import json

import pytest

from bot.cli import main
from bot.eligibility.dialogue import WHICH_KIND, EligibilityDialogue, kind_hint
from bot.eligibility.service import AmbiguousSubjectError, EligibilityService, SubjectError, subject_kind
from bot.identifiers import (
    classify_subject,
    credit_code_check_char,
    credit_code_problem,
    id_number_check_char,
    id_number_problem,
    normalize_subject,
)
from bot.policy.loader import policy_book
from bot.store.db import session_scope
from bot.store.models import Firm, Person
from tests.factories import SHENGSI, credit_code, id_number


def all_digit_credit_codes(check_is_digit: bool, count: int = 3):
    """Credit codes converted from old organisation codes: 91330922, 9 digits, the computed check char."""
    firsts = (f"91{SHENGSI}{n:09d}" for n in itertools.count(100_000_000, 7_919))
    codes = (first + credit_code_check_char(first) for first in firsts)
    return list(itertools.islice((c for c in codes if c[-1].isdigit() == check_is_digit), count))


def ambiguous_numbers(count: int = 3, checks: str = "0123456789"):
    """Valid ID numbers whose first 17 digits are also a credit code body with the same check char."""
    births = (dt.date(1985, 1, 1) + dt.timedelta(days=d) for d in itertools.count())
    firsts = (f"{SHENGSI}{b:%Y%m%d}{seq:03d}" for b in births for seq in range(0, 1000, 101))
    found = (
        f + id_number_check_char(f)
        for f in firsts
        if credit_code_check_char(f) == id_number_check_char(f) and id_number_check_char(f) in checks
    )
    return list(itertools.islice(found, count))


DIGIT_CODES = all_digit_credit_codes(check_is_digit=True)
LETTER_CHECK_CODES = all_digit_credit_codes(check_is_digit=False)
AMBIGUOUS = ambiguous_numbers()


def test_the_generated_values_are_what_they_claim():
    assert len(DIGIT_CODES) == len(LETTER_CHECK_CODES) == len(AMBIGUOUS) == 3
    assert all(c.isdigit() for c in DIGIT_CODES)
    assert all(c[:17].isdigit() and c[17].isalpha() for c in LETTER_CHECK_CODES)
    for value in AMBIGUOUS:
        assert value.isdigit() and id_number_problem(value) is None and credit_code_problem(value) is None


# ---- the rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", DIGIT_CODES + LETTER_CHECK_CODES)
def test_all_digit_credit_codes_are_firms(code):
    subject = classify_subject(code)
    assert (subject.kind, subject.value, subject.message) == ("firm", code, None)


@pytest.mark.parametrize(
    "code", ["91350100M000100Y43", "9144030071526726XG", "91330100716105852F", credit_code(), credit_code("520101", 42)]
)
def test_credit_codes_with_letters_are_firms(code):
    assert classify_subject(code).kind == "firm"


@pytest.mark.parametrize("value", ["11010519491231002X", id_number(), id_number("330922", "20040229", 7)])
def test_id_numbers_are_people(value):
    assert classify_subject(value).kind == "person"


@pytest.mark.parametrize("value", AMBIGUOUS + ambiguous_numbers(1, checks="X"))
def test_numbers_valid_as_both_ask_which(value):
    subject = classify_subject(value)
    assert subject.kind == "ambiguous" and subject.value == value and value[:17].isdigit()
    assert "身份证号" in subject.message and "统一社会信用代码" in subject.message and subject.message.endswith("？")


def _wrong_check(value: str) -> str:
    """The same first 17 characters with a check character that neither standard accepts."""
    return next(value[:17] + c for c in "0123456789" if classify_subject(value[:17] + c).kind == "invalid")


@pytest.mark.parametrize(
    "value, reason",
    [
        (_wrong_check(DIGIT_CODES[0]), "出生日期"),  # all digits, a mistyped old-style credit code
        (_wrong_check(id_number()), "身份证号校验位不正确"),
        (_wrong_check(credit_code()), "统一社会信用代码校验位不正确"),
        ("91350100M0001O0Y43", "不允许的字符"),
        ("913501A0M000100Y43", "行政区划"),
        ("9135010012345678", "应为18位"),
    ],
)
def test_numbers_valid_as_neither_say_why(value, reason):
    subject = classify_subject(value)
    assert subject.kind == "invalid" and reason in subject.reason
    assert subject.message.startswith(subject.reason) and "请核对" in subject.message


def test_an_all_digit_number_that_is_neither_mentions_both_readings():
    message = classify_subject(_wrong_check(DIGIT_CODES[0])).message
    assert "身份证号中的出生日期不是有效日期" in message and "统一社会信用代码" in message


def test_a_birth_date_in_the_future_or_before_1900_is_not_valid(today):
    today("2023-01-20")
    assert classify_subject(id_number("330922", "20230120", 1)).kind == "person"
    assert "出生日期" in classify_subject(id_number("330922", "20230121", 1)).reason
    assert "出生日期" in id_number_problem(id_number("330922", "18991231", 1))


def test_input_is_normalised_first():
    code = DIGIT_CODES[0]
    assert normalize_subject(" ９１３３ ０９２２－ab\u3000c ") == "91330922ABC"
    spaced = f"{code[:8]} {code[8:12]}-{code[12:]}"
    assert classify_subject(spaced).value == code and classify_subject(spaced).kind == "firm"
    wide = "".join(chr(ord(c) + 0xFEE0) for c in "11010519491231002x")
    assert classify_subject(wide) == classify_subject("11010519491231002X")


def test_subject_kind_uses_the_rule_and_a_hint_decides_only_ambiguous_numbers():
    assert subject_kind(DIGIT_CODES[0]) == "firm" and subject_kind(DIGIT_CODES[0], hint="person") == "firm"
    assert subject_kind(AMBIGUOUS[0], hint="firm") == "firm"
    with pytest.raises(AmbiguousSubjectError, match="请问"):
        subject_kind(AMBIGUOUS[0])
    with pytest.raises(SubjectError, match="出生日期"):
        subject_kind(_wrong_check(DIGIT_CODES[0]))


@pytest.mark.parametrize(
    "text, kind",
    [
        ("个人 1234", "person"),
        ("我的身份证号", "person"),
        ("单位的", "firm"),
        ("企业信用代码", "firm"),
        ("1234", None),
        ("个人单位", None),
    ],
)
def test_kind_hint(text, kind):
    assert kind_hint(text) == kind


# ---- service, chat and CLI agree ----------------------------------------------------------------


def _firm(session, code, name="嵊泗老字号水产厂"):
    session.add(
        Firm(
            credit_code=code,
            name=name,
            region_code=SHENGSI,
            above_scale=True,
            industrial=True,
            state_owned=False,
            key_project=False,
            festival_production=True,
        )
    )


def _person(session, number, name="王大力"):
    session.add(Person(id_number=number, name=name, phone="13912345678", household_region_code="520101"))


@pytest.fixture
def mixed_store(store_url):
    """An all-digit-code firm; an ambiguous number that is a person, one that is a firm, one that is both."""
    with session_scope(store_url) as session:
        _firm(session, DIGIT_CODES[0])
        _person(session, AMBIGUOUS[0])
        _firm(session, AMBIGUOUS[1], name="嵊泗某船厂")
        _person(session, AMBIGUOUS[2])
        _firm(session, AMBIGUOUS[2], name="同号企业")
    return store_url


def test_the_service_lets_the_store_decide_ambiguous_numbers(mixed_store):
    service = EligibilityService(mixed_store)
    assert service.check(DIGIT_CODES[0]).kind == "firm"
    assert service.check(AMBIGUOUS[0]).kind == "person" and service.check(AMBIGUOUS[1]).kind == "firm"
    assert service.check(AMBIGUOUS[1], kind="person") is None
    with pytest.raises(AmbiguousSubjectError):
        service.check(AMBIGUOUS[2])
    assert service.check(AMBIGUOUS[2], kind="firm").name == "同号企业"
    assert service.check(ambiguous_numbers(4)[3]) is None


def test_chat_treats_an_all_digit_credit_code_as_a_firm(mixed_store):
    talk = EligibilityDialogue(policy_book(), EligibilityService(mixed_store))
    outcome = talk.take_identifier(f"我们单位代码 {DIGIT_CODES[0]}")
    assert (outcome.accepted, outcome.found, outcome.kind, outcome.masked) == (True, True, "firm", DIGIT_CODES[0])
    missing = talk.take_identifier(DIGIT_CODES[1])
    assert (missing.accepted, missing.found, missing.kind) == (True, False, "firm")
    assert all("出生日期" not in m for m in outcome.messages + missing.messages)


def test_chat_asks_which_only_when_the_store_cannot_tell(mixed_store):
    talk = EligibilityDialogue(policy_book(), EligibilityService(mixed_store))
    assert talk.take_identifier(AMBIGUOUS[0]).kind == "person"
    unknown = ambiguous_numbers(4)[3]
    for text in (unknown, AMBIGUOUS[2]):
        asked = talk.take_identifier(text)
        assert not asked.accepted and asked.messages == [classify_subject(text).message + WHICH_KIND]
    person = talk.take_identifier(f"个人 {unknown}")
    assert (person.accepted, person.found, person.kind) == (True, False, "person")
    assert person.masked == unknown[:6] + "********" + unknown[-4:]
    firm = talk.take_identifier(f"单位 {AMBIGUOUS[2]}")
    assert (firm.found, firm.kind) == (True, "firm")
    bad = talk.take_identifier(_wrong_check(DIGIT_CODES[0]))
    assert not bad.accepted and "请核对后重新输入" in bad.messages[0]


def test_cli_eligibility_of_an_all_digit_credit_code(mixed_store, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", mixed_store)
    assert main(["eligibility", DIGIT_CODES[0], "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["subject"] == {"kind": "firm", "id": DIGIT_CODES[0], "name": "嵊泗老字号水产厂"}
    assert main(["eligibility", DIGIT_CODES[1]]) == 3
    err = capsys.readouterr().err
    assert "库中没有" in err and "出生日期" not in err
    assert main(["eligibility", _wrong_check(DIGIT_CODES[0])]) == 2
    assert "出生日期" in capsys.readouterr().err


def test_cli_eligibility_of_a_number_valid_as_both(mixed_store, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", mixed_store)
    assert main(["eligibility", AMBIGUOUS[0], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["subject"]["kind"] == "person"
    assert main(["eligibility", AMBIGUOUS[2]]) == 2
    err = capsys.readouterr().err
    assert "请问" in err and "--kind" in err
    assert main(["eligibility", AMBIGUOUS[2], "--kind", "firm", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["subject"]["name"] == "同号企业"
