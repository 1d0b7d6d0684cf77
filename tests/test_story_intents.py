"""The trained model reads every user turn of tests/test_stories.yml as the intended intent.

`rasa test core` checks the dialogue (which action follows which intent); this checks the
NLU half of the same stories, through Rasa's own Agent and the full pipeline (normaliser,
jieba, spaCy, DIET, fallback). Entities are checked elsewhere, so stories need no annotations.
"""

import asyncio

import pytest
import yaml

from tests.conftest import REPO_ROOT, trained_model


def story_turns():
    data = yaml.safe_load((REPO_ROOT / "tests" / "test_stories.yml").read_text(encoding="utf-8"))
    for story in data["stories"]:
        for step in story["steps"]:
            if "user" in step:
                yield story["story"], step["user"].strip(), step["intent"]


TURNS = list(story_turns())


@pytest.fixture(scope="module")
def parse():
    from rasa.core.agent import Agent

    model = str(trained_model())
    agent = Agent.load(model)
    loop = asyncio.new_event_loop()
    yield lambda text: loop.run_until_complete(agent.parse_message(text))
    loop.close()


def test_there_are_enough_stories():
    data = yaml.safe_load((REPO_ROOT / "tests" / "test_stories.yml").read_text(encoding="utf-8"))
    assert len(data["stories"]) >= 40
    assert sum(1 for s in data["stories"] if sum("user" in step for step in s["steps"]) > 1) >= 10


# NLU is statistical: a new phrasing can be misread. The bar: at least this share of the
# test-story turns, none of which is in the training data, is read as the intended intent.
MIN_ACCURACY = 0.95


def test_story_turn_intents(parse):
    misses = []
    for story, text, intent in TURNS:
        result = parse(text)
        if result["intent"]["name"] != intent:
            misses.append(
                f"{story}: {text!r} → {result['intent']['name']} "
                f"({result['intent'].get('confidence', 0):.2f}), expected {intent}"
            )
    accuracy = 1 - len(misses) / len(TURNS)
    print(f"story-turn intent accuracy {accuracy:.3f} ({len(TURNS) - len(misses)}/{len(TURNS)})")
    print("\n".join(misses))
    assert accuracy >= MIN_ACCURACY, "\n".join(misses)
