"""Costs Rasa 3.6 pays on every message, removed without changing what it answers.

1. Validating the action server's response. `RemoteAction._validate_action_result` calls
   `jsonschema.validate(result, schema)`, which first checks the schema itself against the
   JSON-Schema meta-schema, on every call (about 20 ms on this machine). Here the schema is checked
   once. And the schema's list of events is a `oneOf` over 23 event schemas, one per value of
   `event`: every event was tried against all 23 (0.77 ms for a four-event response). Each event is
   now checked against the one schema its `event` names, and the rest of the response against the
   schema without that `oneOf` (0.09 ms). That is the same test: each branch requires its own
   `event` value and `event` is required, so an event can only ever match the branch of its
   name. A response this check refuses goes through the full schema, so a refusal carries
   exactly the error Rasa's own validation gives.

2. Finding an event's class by its name. `Event.resolve_by_type` walks the whole tree of Event
   subclasses for every event it reads (every event of a history loaded from the tracker store,
   every event an action returns): 3% of a message's time. The first lookup of each name walks
   the tree as Rasa does; the class it finds is kept for later lookups. (Event classes are all
   defined when Rasa is imported.)

3. Full garbage collections. A loaded model is millions of Python objects (TensorFlow, spaCy,
   jieba, the domain) that live as long as the server does. Python's collector walks all of
   them on every full collection: about 0.4 s with every request on hold, every few seconds
   under load. `freeze_heap_after_loading` moves what exists once the model is loaded into the
   permanent generation, so full collections only walk what was made afterwards (1-2 ms).

Installed by one pipeline component, `bot.nlu.components.RasaSpeedUps`, named first in
config.yml: every command that loads this project's model (`rasa run`, `rasa shell`, `rasa test`)
gets them, and importing a module never patches Rasa. They replace Rasa internals, so `install`
refuses (with a warning) on any Rasa version other than the one they were written and measured
on (`MEASURED_ON`). Measured in benchmarks/latency.md.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from typing import Any, Dict, Optional, Text

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event

logger = logging.getLogger(__name__)


class ActionResponseValidator:
    """Rasa's action-response schema, compiled once: `is_valid` answers as `jsonschema.validate`
    would, and `best_error` gives the error it would raise."""

    def __init__(self, schema: Dict[Text, Any]) -> None:
        cls = validator_for(schema)
        cls.check_schema(schema)  # once, not per call
        self.full = cls(schema)
        self.without_events_oneof: Optional[Any] = None
        self.by_event: Dict[Text, Any] = {}
        items = ((schema.get("properties") or {}).get("events") or {}).get("items")
        branches = items.get("oneOf") if isinstance(items, dict) else None
        if not branches or "event" not in (items.get("required") or []):
            return  # not the shape this shortcut relies on: always use the full schema
        names = [((branch.get("properties") or {}).get("event") or {}).get("const") for branch in branches]
        if any(not isinstance(name, str) for name in names) or len(set(names)) != len(names):
            return
        outer = {
            **schema,
            "properties": {
                **schema["properties"],
                "events": {**schema["properties"]["events"], "items": {k: v for k, v in items.items() if k != "oneOf"}},
            },
        }
        self.without_events_oneof = cls(outer)
        self.by_event = {name: cls(branch) for name, branch in zip(names, branches)}

    def is_valid(self, result: Any) -> bool:
        if self.without_events_oneof is None:
            return self.full.is_valid(result)
        if not self.without_events_oneof.is_valid(result):
            return False
        events = result.get("events") if isinstance(result, dict) else None
        if not isinstance(events, list):
            return True  # absent: nothing more to check (not a list: refused above)
        for event in events:
            branch = self.by_event.get(event.get("event"))
            if branch is None or not branch.is_valid(event):
                return False
        return True

    def best_error(self, result: Any) -> Optional[ValidationError]:
        return best_match(self.full.iter_errors(result))


_validator: Optional[ActionResponseValidator] = None


def action_response_validator() -> ActionResponseValidator:
    global _validator
    if _validator is None:
        _validator = ActionResponseValidator(RemoteAction.action_response_format_spec())
    return _validator


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    validator = action_response_validator()
    if validator.is_valid(result):
        return True
    error = validator.best_error(result)
    if error is None:  # never expected: the full schema is the judge
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the "
        f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


_rasa_resolve_by_type = Event.resolve_by_type
_event_classes: Dict[Text, type] = {}


def _resolve_event_by_type(type_name: Text, default: Optional[type] = None) -> Optional[type]:
    """As `Event.resolve_by_type`; a name found once is not looked for again."""
    found = _event_classes.get(type_name)
    if found is None:
        found = _rasa_resolve_by_type(type_name, default)
        if found is not None and found is not default:
            _event_classes[type_name] = found
    return found


_freeze_scheduled = False


def freeze_heap_after_loading() -> bool:
    """Called while Rasa loads a model. The loading is synchronous, inside the server's event loop,
    so a callback scheduled now runs once it is over: then the heap is collected and frozen.
    Outside an event loop (training, a script) nothing happens. Returns whether it is scheduled."""
    global _freeze_scheduled
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return False
    if not _freeze_scheduled:
        _freeze_scheduled = True
        loop.call_soon(freeze_heap)
    return True


def freeze_heap() -> None:
    """Collect, then move every object alive into the permanent generation. A model loaded again
    (Rasa's PUT /model) unfreezes first, so the replaced model's objects can be collected."""
    global _freeze_scheduled
    _freeze_scheduled = False
    started = time.perf_counter()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    logger.info(
        f"{gc.get_freeze_count():,} objects of the loaded model frozen "
        f"in {time.perf_counter() - started:.2f} s (no longer walked by full collections)"
    )


MEASURED_ON = "3.6.21"


def install(rasa_version: Optional[Text] = None) -> bool:
    """Patch 1 and 2 into Rasa; True if installed. Another Rasa version keeps Rasa's own code:
    the internals replaced here may have changed there."""
    if rasa_version is None:
        import rasa

        rasa_version = rasa.__version__
    if rasa_version != MEASURED_ON:
        logger.warning(
            "bot.rasa_speedups: written and measured for Rasa %s, this is Rasa %s; not installed "
            "(Rasa's own action-response validation and event lookup stay in use)",
            MEASURED_ON,
            rasa_version,
        )
        return False
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_event_by_type)
    return True


__all__ = ["MEASURED_ON", "install", "freeze_heap_after_loading", "ValidationError"]
