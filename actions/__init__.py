"""Rasa SDK actions: thin adapters that read the tracker, call `bot`, and send the reply.

Every message an action sends is masked on its way out (bot.text.mask.mask_text: phones and ID
numbers however they are spelled), whichever action built it and whatever user text it quotes.
"""

from __future__ import annotations

import functools
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from bot.text.mask import mask_data


def _masking(utter_message: Any) -> Any:
    """CollectingDispatcher.utter_message, masking the message it collects. Every other utter_*
    method of the dispatcher goes through utter_message."""
    if getattr(utter_message, "masks_replies", False):
        return utter_message

    @functools.wraps(utter_message)
    def utter_masked(self: CollectingDispatcher, *args: Any, **kwargs: Any) -> None:
        utter_message(self, *args, **kwargs)
        if self.messages:
            self.messages[-1] = mask_data(self.messages[-1])

    utter_masked.masks_replies = True  # type: ignore[attr-defined]
    return utter_masked


CollectingDispatcher.utter_message = _masking(CollectingDispatcher.utter_message)  # type: ignore[method-assign]
