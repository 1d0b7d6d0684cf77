"""What every custom action is made of.

    class ActionSomething(BotAction):
        action_name = "action_something"

        async def act(self, say: Replies, view: TrackerView) -> List[EventType]:
            say(text)           # masked on its way out
            return [SlotSet(...)]

BotAction reads the tracker once (actions/tracker.py) and hands `act` a Replies instead of the
dispatcher: every text an action sends goes through bot.text.mask (phones and ID numbers however
they are spelled), whichever action built it and whatever user text it quotes. A form's questions
come from ask_action; a form's validation from actions/forms.py.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable, ClassVar, Dict, List, Mapping, Text, Type

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker import TrackerView, read_tracker
from bot.complaints.service import ComplaintService
from bot.forms import with_resume
from bot.text.mask import mask_data

SORRY = "抱歉，这个问题我这边出了点问题，没能回答。请换个说法再问一次，或拨打12333人社服务热线。"
_services: Dict[str, ComplaintService] = {}


def complaint_service() -> ComplaintService:
    """One service per process (it migrates the store once); sessions stay short-lived inside."""
    if "default" not in _services:
        _services["default"] = ComplaintService()
    return _services["default"]


def forget_services() -> None:
    """The next complaint_service() is a new one (tests: a new store, or an action server restart)."""
    _services.clear()


class Replies:
    """How an action speaks: every message masked (text, buttons, anything it carries)."""

    def __init__(self, dispatcher: CollectingDispatcher):
        self._dispatcher = dispatcher

    def __call__(self, text: str, **extra: Any) -> None:
        self._dispatcher.utter_message(text=text, **extra)
        self._dispatcher.messages[-1] = mask_data(self._dispatcher.messages[-1])


class BotAction(Action, ABC):
    """A custom action: `action_name` (as in domain.yml) and `act`."""

    action_name: ClassVar[str]

    def name(self) -> Text:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        return await self.act(Replies(dispatcher), read_tracker(tracker))

    @abstractmethod
    async def act(self, say: Replies, view: TrackerView) -> List[EventType]:
        """Say what to say through `say`; return the events (slots) to apply."""


def ask_action(slot: str, question: Callable[[str, Mapping[str, Any]], str]) -> Type[BotAction]:
    """The action_ask_<slot> action of a form: says question(slot, slots) (a form's `question`),
    after an aside on a line starting "继续…：" (the resume_note slot, then cleared)."""

    class AskAction(BotAction):
        action_name = f"action_ask_{slot}"

        async def act(self, say: Replies, view: TrackerView) -> List[EventType]:
            say(with_resume(question(slot, view.slots), view.slots.get("resume_note")))
            return [SlotSet("resume_note", None)]

    AskAction.__name__ = AskAction.__qualname__ = "ActionAsk" + "".join(part.title() for part in slot.split("_"))
    return AskAction
