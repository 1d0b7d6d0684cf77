"""Two costs Rasa 3.6 pays on every custom-action call, removed without changing behaviour.

`RemoteAction._validate_action_result` calls `jsonschema.validate(result, schema)`, which checks the
schema itself against the JSON-Schema meta-schema on every call before validating the response:
about 20 ms per action call on this machine, most of a message's time. Here the schema is checked
once and its validator kept; responses are validated exactly as before, with the same error.

Imported by bot.nlu.components, which every model of this project loads, so `rasa run`,
`rasa shell` and `rasa test` all get it. Measured in benchmarks/latency.md.
"""

from __future__ import annotations

from typing import Any, Dict, Text

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_validator = None


def _action_response_validator():
    global _validator
    if _validator is None:
        schema = RemoteAction.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)  # once, not per call
        _validator = cls(schema)
    return _validator


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    error = best_match(_action_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the "
        f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions")
    raise error


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result


__all__ = ["install", "ValidationError"]
