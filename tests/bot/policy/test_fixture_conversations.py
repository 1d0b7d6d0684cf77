"""The region-switching conversations (tests/conversations/regions.yml, real notices) and the
fictional county's (tests/fixtures/conversations/yunyu.yml, with the fixture notice) held at the
dialogue layer, without Rasa: every turn is given an intent the classifier might have returned
for an unfamiliar region name (a follow-up, an uncertain fallback, out of scope), and the answer
must not depend on it. The same files run end to end against the trained stack (README there)."""

import datetime as dt

import pytest

from bot.dialogue import PolicyDialogue, Turn
from bot.policy.loader import load_policies
from tests.conftest import REPO_ROOT, all_notices_book
from tests.conversations.runner import check, load_suite

REGIONS = [c for c in load_suite() if c.file == "regions.yml"]
FIXTURE = load_suite(REPO_ROOT / "tests" / "fixtures" / "conversations")
INTENTS = [("ask_followup", 0.51), ("nlu_fallback", 0.5), ("out_of_scope", 0.6)]


def converse(book, conversation, intent, confidence, monkeypatch):
    monkeypatch.delenv("BOT_DEFAULT_REGION", raising=False)
    talk = PolicyDialogue(book)
    day = dt.date.fromisoformat(str(conversation.today))
    slots = dict(region=None, topic=None, benefit=None, stated=None)
    failures = []
    for i, turn in enumerate(conversation.turns, 1):
        reply = talk.respond(Turn(intent, turn.user, (), confidence=confidence, **slots), day)
        slots = dict(region=reply.region, topic=reply.topic, benefit=reply.benefit, stated=reply.stated)
        text = "\n".join(reply.messages)
        failures += [f"turn {i} {turn.user!r}: {f}\n{text}" for f in check(turn, text)]
    return failures


@pytest.mark.parametrize("intent, confidence", INTENTS, ids=[i for i, _ in INTENTS])
@pytest.mark.parametrize("conversation", REGIONS, ids=lambda c: c.id)
def test_region_switches_hold_whatever_the_intent(conversation, intent, confidence, monkeypatch):
    book = load_policies(REPO_ROOT / "policies", [])
    assert not converse(book, conversation, intent, confidence, monkeypatch)


@pytest.mark.parametrize("intent, confidence", INTENTS, ids=[i for i, _ in INTENTS])
@pytest.mark.parametrize("conversation", FIXTURE, ids=lambda c: c.id)
def test_the_fictional_county_holds_whatever_the_intent(conversation, intent, confidence, monkeypatch):
    assert not converse(all_notices_book(), conversation, intent, confidence, monkeypatch)
