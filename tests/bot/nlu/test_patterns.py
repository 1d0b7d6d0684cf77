import pytest

from bot.nlu.patterns import find_entities, id_number_is_valid
from bot.text.normalize import normalize


def entities(text):
    return {(f.entity, f.value) for f in find_entities(normalize(text))}


@pytest.mark.parametrize(
    "text, phone",
    [
        ("电话13912345678", "13912345678"),
        ("手机 139 1234 5678", "13912345678"),
        ("打１３９１２３４５６７８找我", "13912345678"),
        ("186-1234-5678", "18612345678"),
    ],
)
def test_phone(text, phone):
    assert ("phone", phone) in entities(text)


def test_not_a_phone():
    assert not any(e == "phone" for e, _ in entities("编号12345678901"))


def test_id_number_and_checksum():
    assert ("id_number", "11010519491231002X") in entities("身份证11010519491231002x")
    assert id_number_is_valid("11010519491231002X")
    assert not id_number_is_valid("110105194912310021")  # wrong check digit
    assert not id_number_is_valid("110105194902300026")  # 2月30日
    assert not id_number_is_valid("1101051949123100")


def test_ticket_amount_date():
    found = entities("工单qx-20230115-0007，欠我一万二千元，2023年1月16日")
    assert ("ticket_id", "QX-20230115-0007") in found
    assert ("amount", "12000") in found
    assert ("date", "2023-01-16") in found


def test_ticket_number_typed_without_hyphens():
    assert ("ticket_id", "QX-20230116-0003") in entities("工单QX20230116-0003进度")
    assert ("ticket_id", "QX-20230116-0003") in entities("qx 20230116 0003")


def test_month_and_partial_dates():
    assert ("date", "2022-12") in entities("2022年12月交的社保")
    assert ("date", "--01-31") in entities("1月31号截止")


def test_spans_point_into_the_text():
    text = normalize("我电话13912345678")
    (found,) = find_entities(text)
    assert text[found.start : found.end] == "13912345678"
