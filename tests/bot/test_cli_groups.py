"""bot/cli/: one module per command group, all reachable from the `bot` console script."""

import re
from pathlib import Path

import pytest

import bot.cli
from bot.cli import main

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_the_console_script_is_bot_cli_main():
    assert re.search(r'^bot = "bot\.cli:main"$', PYPROJECT.read_text(encoding="utf-8"), re.MULTILINE)
    assert callable(bot.cli.main)


def test_every_group_registers_its_commands_in_the_documented_order(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "{policies,answer,db,eligibility,complaints,staff,nlu,wechat}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [["policies", "nope"], ["db", "nope"], ["complaints", "nope"], ["staff", "nope"], ["nlu", "nope"], ["wechat"]],
)
def test_a_bad_command_line_is_refused_by_its_group(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert f"bot {argv[0]}" in capsys.readouterr().err
