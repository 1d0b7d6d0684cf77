"""The cached action-response validation accepts and refuses exactly what Rasa's own does."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import bot.nlu.components  # noqa: F401  (installs the speed-ups, as loading a model does)
from bot.rasa_speedups import _validate_action_result


@pytest.fixture
def action():
    return RemoteAction("action_answer_policy", EndpointConfig(url="http://127.0.0.1:1/webhook"))


def test_the_model_loading_module_installs_it(action):
    assert RemoteAction._validate_action_result is _validate_action_result


@pytest.mark.parametrize("response", [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "region", "value": "shengsi"}], "responses": [{"text": "你好"}]},
    {"events": [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}}]},
])
def test_valid_responses_pass(action, response):
    assert action._validate_action_result(response) is True


@pytest.mark.parametrize("response", [
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"events": [{"event": "slot"}]},
])
def test_invalid_responses_are_refused_with_rasas_message(action, response):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(response)


@pytest.mark.parametrize("response", [
    {"events": [], "responses": []}, {"events": [{"event": "no_such_event"}]}, {"events": "not a list"},
    {"events": [{"event": "slot"}]}, {"events": [{"event": "action", "name": "utter_greet"}], "responses": []},
    {"events": [{"event": "active_loop", "name": None}]}, {},
])
def test_it_agrees_with_jsonschema_validate(action, response):
    from jsonschema import validate

    def outcome(check):
        try:
            check()
            return "valid"
        except ValidationError as error:
            return error.message.split(". Failed to validate")[0]

    assert outcome(lambda: action._validate_action_result(response)) == \
        outcome(lambda: validate(response, RemoteAction.action_response_format_spec()))
