"""Each custom-menu tap (bot/channels/wechat_menu.json: click_texts) is read by the trained model as
the intent it stands for, so a tap behaves as if the user had typed the request.

Needs the model `make train` built for the current data, like tests/test_story_intents.py.
"""

import asyncio

import pytest

from bot.channels.wechat_menu import click_texts
from tests.conftest import trained_model

MENU_INTENTS = {
    "MENU_POLICY": "ask_policy_overview",
    "MENU_RETENTION": "ask_retention_bonus",
    "MENU_VOUCHER": "ask_consumption_voucher",
    "MENU_ELIGIBILITY": "check_eligibility",
    "MENU_COMPLAINT": "complain_wage_arrears",
    "MENU_STATUS": "check_complaint_status",
    "MENU_HUMAN": "request_human",
}


@pytest.fixture(scope="module")
def parse():
    from rasa.core.agent import Agent

    agent = Agent.load(str(trained_model()))
    loop = asyncio.new_event_loop()
    yield lambda text: loop.run_until_complete(agent.parse_message(text))
    loop.close()


def test_every_menu_key_has_an_expected_intent():
    assert set(MENU_INTENTS) == set(click_texts())


@pytest.mark.parametrize("key", sorted(MENU_INTENTS))
def test_a_menu_tap_reaches_its_intent(parse, key):
    result = parse(click_texts()[key])
    assert result["intent"]["name"] == MENU_INTENTS[key], result["intent"]
