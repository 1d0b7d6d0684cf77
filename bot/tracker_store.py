"""A tracker store that never keeps a full ID number or mobile number.

Rasa keeps every user message in the conversation history (and serves it through the HTTP API
and `rasa export`). This store masks ID numbers and phones before a tracker is saved; the turn
being handled still sees the message as typed, so a form can read an ID once and keep only its
masked form. Configure in endpoints.yml: `tracker_store: {type: bot.tracker_store.MaskingTrackerStore}`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from bot.text.mask import mask_text


class MaskingTrackerStore(InMemoryTrackerStore):
    def __init__(self, domain: Any = None, event_broker: Any = None, **kwargs: Any) -> None:
        super().__init__(domain, event_broker, **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Serialise once, mask the strings, keep that text: no re-parsing into events."""
        serialised = json.dumps(_mask(tracker.as_dialogue().as_dict()))
        if self.event_broker:  # brokers see the masked events too
            await self.stream_events(self.deserialise_tracker(tracker.sender_id, serialised))
        self.store[tracker.sender_id] = serialised


_LONG_DIGITS = re.compile(r"\d{11}")  # phones and ID numbers both hold 11+ digits in a row


def _mask(value: Any) -> Any:
    """Every string inside a JSON structure, masked."""
    if isinstance(value, str):
        return mask_text(value) if _LONG_DIGITS.search(value) else value
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    return value
