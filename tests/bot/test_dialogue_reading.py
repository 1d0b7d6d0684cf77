"""bot/dialogue/reading.py and turn.py: what a turn names, and the facts carried between turns."""

import pytest

from bot.dialogue.reading import TurnReader
from bot.dialogue.turn import Turn, entity_text, facts_for_region


@pytest.fixture(scope="module")
def reader(book):
    return TurnReader(book)


def region_entity(value, text, start=0):
    return {"entity": "region", "value": value, "start": start, "end": start + len(text)}


def test_a_covered_region_named_by_an_entity_or_in_the_text(reader):
    region, other = reader.mentioned_regions(Turn("inform", "嵊泗的", [region_entity("shengsi", "嵊泗")]))
    assert region.key == "shengsi" and other is None
    region, other = reader.mentioned_regions(Turn("inform", "我在嵊泗上班"))
    assert region.key == "shengsi" and other is None


def test_an_uncovered_place_is_named_as_said(reader):
    region, other = reader.mentioned_regions(Turn("ask_retention_bonus", "上海有吗", [region_entity("上海", "上海")]))
    assert region is None and other == "上海"


def test_a_trip_origin_is_not_the_place_asked_about(reader):
    assert reader.movement_place("从宁波接的工人", "宁波")
    assert not reader.movement_place("宁波有补贴吗", "宁波")


def test_the_topic_carries_over_to_a_follow_up(reader):
    turn = Turn("ask_followup", "那怎么领？", region="shengsi", topic="retention_bonus")
    assert reader.choose_topic(turn, turn.text) == "retention_bonus"
    assert reader.choose_topic(Turn("greet", "你好"), "你好") is None


def test_entity_text_is_the_words_the_user_wrote():
    turn = Turn("inform", "我在嵊泗", [region_entity("shengsi", "嵊泗", start=2)])
    assert entity_text(turn, turn.entities[0]) == "嵊泗"
    assert entity_text(turn, {"entity": "region", "value": "shengsi"}) == ""


def test_place_relative_facts_are_dropped_when_the_region_changes():
    stated = {"household_local": False, "insured_here": True, "role": "frontline"}
    assert facts_for_region(stated, "shengsi", "shengsi") == stated
    assert facts_for_region(stated, "shengsi", "yunyu") == {"role": "frontline"}
    assert facts_for_region(stated, None, "yunyu") == stated
