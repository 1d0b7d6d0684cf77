"""The one place that reads a Rasa tracker: once per action, into a plain TrackerView.

view = read_tracker(tracker)
view.text, view.intent, view.confidence, view.entities   the latest message
view.slots["region"]                                      every slot (a copy)
view.turn()                                               the message for the policy dialogue
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

from bot.dialogue import Turn
from bot.forms import FormTurn


@dataclass(frozen=True)
class TrackerView:
    sender: str = ""
    text: str = ""
    intent: str = ""
    confidence: float = 0.0
    entities: List[Dict[str, Any]] = field(default_factory=list)
    intent_ranking: List[Dict[str, Any]] = field(default_factory=list)
    slots: Dict[str, Any] = field(default_factory=dict)
    filled: Dict[str, Any] = field(default_factory=dict)  # slot values the form's mappings took from the message
    started: Any = None  # the time of the latest user message
    reply_before: Optional[str] = None  # the bot's last reply between the previous user message and this one

    def turn(self) -> Turn:
        """The message and the conversation state the policy dialogue reads."""
        stated = self.slots.get("stated")
        return Turn(
            intent=self.intent,
            text=self.text,
            entities=self.entities,
            region=self.slots.get("region"),
            topic=self.slots.get("topic"),
            intent_ranking=self.intent_ranking,
            benefit=self.slots.get("benefit"),
            stated=stated if isinstance(stated, dict) else None,
            confidence=self.confidence,
        )

    def form_turn(self) -> FormTurn:
        """The message as a form reads it (bot/forms.py)."""
        return FormTurn(
            self.turn(),
            requested=self.slots.get("requested_slot"),
            slots=self.slots,
            filled=self.filled,
            sender=self.sender,
            started=self.started,
        )


def read_tracker(tracker: Tracker) -> TrackerView:
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    return TrackerView(
        sender=tracker.sender_id,
        text=message.get("text") or "",
        intent=intent.get("name") or "",
        confidence=float(intent.get("confidence") or 0.0),
        entities=message.get("entities") or [],
        intent_ranking=message.get("intent_ranking") or [],
        slots=dict(tracker.slots),
        filled=tracker.slots_to_validate(),
        started=next((e.get("timestamp") for e in reversed(tracker.events) if e.get("event") == "user"), None),
        reply_before=_reply_before(tracker.events),
    )


def _reply_before(events: List[Dict[str, Any]]) -> Optional[str]:
    seen_user = False
    for event in reversed(events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif event.get("event") == "bot" and seen_user:
            return event.get("text") or ""
    return None
