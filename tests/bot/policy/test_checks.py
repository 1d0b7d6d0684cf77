"""bot/policy/checks.py: the check vocabulary a policy file may use, in step with the rules."""

import ast
import datetime as dt
from pathlib import Path

import pytest

from bot.eligibility.rules import RULES
from bot.policy.checks import FIRM_FLAG_NAMES, RULE_NAMES, RULE_PARAMS, param_problem

POLICY_PACKAGE = Path(__file__).resolve().parents[3] / "bot" / "policy"


def test_the_rule_names_are_exactly_the_rules_the_eligibility_check_implements():
    assert RULE_NAMES == set(RULES)
    assert set(RULE_PARAMS) <= RULE_NAMES


def test_the_firm_kinds_are_facts_of_every_firm():
    from bot.store.models import Firm

    assert all(hasattr(Firm, flag) for flag in FIRM_FLAG_NAMES)


@pytest.mark.parametrize(
    "param, value",
    [
        ("min", 15),
        ("year", 2023),
        ("share", 0.5),
        ("share", 1),
        ("date", "2023-01-22"),
        ("date", dt.date(2023, 1, 22)),
        ("month", "2022-12"),
        ("field", "worked"),
        ("roles", ["frontline"]),
        ("employer_any_of", [["above_scale", "industrial"], ["key_project"]]),
        ("anything_else", object()),
    ],
)
def test_usable_parameters_pass(param, value):
    assert param_problem(param, value) is None


@pytest.mark.parametrize(
    "param, value, says",
    [
        ("min", "15人", "正整数"),
        ("min", True, "正整数"),
        ("year", 0, "正整数"),
        ("share", 1.5, "0 到 1"),
        ("date", "春节", "YYYY-MM-DD"),
        ("month", "2022-13", "YYYY-MM"),
        ("month", "2022年12月", "YYYY-MM"),
        ("window", " ", "非空文字"),
        ("roles", [], "非空文字列表"),
        ("employer_any_of", [["规上"]], "above_scale"),
        ("employer_any_of", ["above_scale"], "企业类型组合"),
    ],
)
def test_unusable_parameters_are_named(param, value, says):
    assert says in (param_problem(param, value) or "")


def test_the_policy_package_never_imports_the_eligibility_package():
    """bot.eligibility builds on bot.policy, never the other way round (not even inside a function)."""
    for path in sorted(POLICY_PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            assert not any(n == "bot.eligibility" or n.startswith("bot.eligibility.") for n in names), path.name
