import pytest

from bot.identifiers import credit_code_check_char, credit_code_problem, id_number_problem, looks_like_credit_code


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91330100716105852F", "9144030071526726XG"])
def test_published_credit_codes_pass_gb32100(code):
    assert credit_code_problem(code) is None


@pytest.mark.parametrize(
    "code, reason",
    [
        ("91350100M000100Y44", "校验位"),
        ("91350100M000100Y4", "18位"),
        ("91350100M0001O0Y43", "不允许的字符"),
        ("913501A0M000100Y43", "行政区划"),
    ],
)
def test_bad_credit_codes_say_why(code, reason):
    assert reason in credit_code_problem(code)


def test_credit_code_check_char_round_trip():
    assert credit_code_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    "value, reason",
    [
        ("11010519491231002X", None),
        ("11010519491231002x", None),
        ("110105194912310021", "校验位"),
        ("110105194902300028", "出生日期"),
        ("1101051949123100", "18位"),
        ("11010519491231A02X", "数字"),
    ],
)
def test_id_numbers_gb11643(value, reason):
    problem = id_number_problem(value)
    assert (problem is None) if reason is None else (reason in problem)


def test_credit_code_vs_id_number():
    assert looks_like_credit_code("91350100M000100Y43")
    assert not looks_like_credit_code("11010519491231002X")
