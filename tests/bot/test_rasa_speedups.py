"""The action-response validation accepts and refuses exactly what Rasa's own does; the heap of a
loaded model is frozen once the loading is over; the patches are installed by the one pipeline
component config.yml names, never by an import, and only on the Rasa version they were made for."""

import asyncio
import gc
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.nlu.components import RasaSpeedUps
from bot.rasa_speedups import (
    MEASURED_ON,
    ActionResponseValidator,
    _validate_action_result,
    freeze_heap_after_loading,
    install,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", autouse=True)
def installed():
    assert RasaSpeedUps().installed  # as Rasa does when it loads the model


@pytest.fixture
def action():
    return RemoteAction("action_answer_policy", EndpointConfig(url="http://127.0.0.1:1/webhook"))


def test_the_pipeline_component_installs_it(action):
    assert RemoteAction._validate_action_result is _validate_action_result


def test_config_names_the_component_first():
    pipeline = yaml.safe_load((REPO / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    assert pipeline[0]["name"] == "bot.nlu.components.RasaSpeedUps"
    assert [step["name"] for step in pipeline].count("bot.nlu.components.RasaSpeedUps") == 1


def test_importing_patches_nothing():
    code = (
        "import bot.nlu.components, bot.rasa_speedups, actions.actions\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "from rasa.shared.core.events import Event\n"
        "assert RemoteAction._validate_action_result.__module__ == 'rasa.core.actions.action'\n"
        "assert Event.resolve_by_type.__module__ == 'rasa.shared.core.events'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=120)


def test_another_rasa_version_is_refused_with_a_warning(caplog):
    code = (
        "import logging; logging.basicConfig()\n"
        "from bot.rasa_speedups import install\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "assert install('3.7.0') is False\n"
        "assert RemoteAction._validate_action_result.__module__ == 'rasa.core.actions.action'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Rasa 3.7.0" in done.stderr and "not installed" in done.stderr
    assert MEASURED_ON == "3.6.21" and install(MEASURED_ON) is True


@pytest.mark.parametrize(
    "response",
    [
        {"events": [], "responses": []},
        {"events": [{"event": "slot", "name": "region", "value": "shengsi"}], "responses": [{"text": "你好"}]},
        {"events": [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}}]},
    ],
)
def test_valid_responses_pass(action, response):
    assert action._validate_action_result(response) is True


@pytest.mark.parametrize(
    "response",
    [
        {"events": [{"event": "no_such_event"}]},
        {"events": "not a list"},
        {"events": [{"event": "slot"}]},
    ],
)
def test_invalid_responses_are_refused_with_rasas_message(action, response):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(response)


RESPONSES = [
    {"events": [], "responses": []},
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"events": [{"event": "slot"}]},
    {"events": [{"event": "action", "name": "utter_greet"}], "responses": []},
    {"events": [{"event": "active_loop", "name": None}]},
    {},
    "not an object",
    {"events": None},
    {"events": ["not an event"]},
    {"events": [{"name": "region", "value": "shengsi"}]},
    {"events": [{"event": "slot", "name": 7, "value": 1}]},
    {"events": [{"event": "slot", "name": "region", "value": 1, "timestamp": "yesterday"}]},
    {"events": [{"event": "slot", "name": "region", "value": 1, "timestamp": True}]},
    {
        "events": [
            {"event": "slot", "name": "a", "value": 1},
            {"event": "bot", "text": "你好"},
            {"event": "active_loop", "name": "complaint_form"},
            {"event": "followup", "name": "x"},
        ]
    },
    {"events": [{"event": "slot", "name": "a", "value": 1}, {"event": "bot", "text": 5}]},
    {"events": [{"event": "user", "text": "hi", "parse_data": {"entities": [{"entity": "region"}]}}]},
    {"events": [{"event": "user", "text": "hi", "parse_data": {"entities": [{"entity": "region", "value": "x"}]}}]},
    {"events": [{"event": "reset_slots"}, {"event": "restart", "timestamp": 1.5}], "responses": "no"},
    {"events": [{"event": "session_started", "metadata": {"k": 1}}], "responses": [{"text": "x"}, 3]},
]


@pytest.mark.parametrize("response", RESPONSES)
def test_it_agrees_with_jsonschema_validate(action, response):
    from jsonschema import validate

    def outcome(check):
        try:
            check()
            return "valid"
        except ValidationError as error:
            return error.message.split(". Failed to validate")[0]

    assert outcome(lambda: action._validate_action_result(response)) == outcome(
        lambda: validate(response, RemoteAction.action_response_format_spec())
    )


def test_each_event_is_checked_against_the_schema_of_its_name_only():
    validator = ActionResponseValidator(RemoteAction.action_response_format_spec())
    assert validator.without_events_oneof is not None and len(validator.by_event) == 23
    for response in RESPONSES:
        assert validator.is_valid(response) == validator.full.is_valid(response), response


def test_a_schema_whose_branches_share_an_event_name_is_always_checked_in_full():
    branch = {"properties": {"event": {"const": "slot"}}}
    schema = {
        "type": "object",
        "properties": {
            "events": {"type": "array", "items": {"type": "object", "required": ["event"], "oneOf": [branch, branch]}}
        },
    }
    validator = ActionResponseValidator(schema)
    assert validator.without_events_oneof is None
    # Both branches match, so oneOf fails: only the full schema sees that.
    assert validator.is_valid({"events": [{"event": "slot"}]}) is False


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_outside_an_event_loop_nothing_is_frozen(unfrozen):
    assert freeze_heap_after_loading() is False
    assert gc.get_freeze_count() == 0


def test_the_heap_is_frozen_once_the_loading_code_has_returned(unfrozen):
    class Loaded:
        pass

    async def load_a_model():
        model = [Loaded()]  # a container, so the collector tracks it
        assert freeze_heap_after_loading() is True
        assert freeze_heap_after_loading() is True  # a second component: still one freeze
        assert gc.get_freeze_count() == 0  # not while loading
        assert any(o is model for o in gc.get_objects())
        await asyncio.sleep(0)  # the loop's next turn
        frozen = gc.get_freeze_count()
        assert frozen > 0
        assert not any(o is model for o in gc.get_objects())  # no longer walked by collections
        assert freeze_heap_after_loading() is True
        await asyncio.sleep(0)  # a model loaded again: unfrozen, collected, frozen anew
        assert gc.get_freeze_count() > 0
        return model

    assert asyncio.run(load_a_model())


def test_events_are_resolved_by_name_as_rasa_resolves_them():
    from rasa.shared.core.events import Event, SlotSet
    from rasa.shared.utils.common import all_subclasses

    from bot.rasa_speedups import _rasa_resolve_by_type

    assert Event.resolve_by_type("slot") is SlotSet  # installed (static, as Rasa's)
    for cls in all_subclasses(Event):
        for _ in range(2):  # looked up, then remembered
            assert Event.resolve_by_type(cls.type_name) is _rasa_resolve_by_type(cls.type_name)
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.from_parameters({"event": "slot", "name": "region", "value": "shengsi"}) == SlotSet(
        "region", "shengsi"
    )
