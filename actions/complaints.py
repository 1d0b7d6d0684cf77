"""Wage-arrears complaints, status checks and callbacks: thin rasa-sdk actions over
bot.complaints. The full phone number never goes into a slot; it waits in the store's draft.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.actions import form_aside, prompt_action, with_resume
from bot.clock import today
from bot.complaints.dialogue import (
    CALLBACK_ASK_PHONE,
    CALLBACK_ASK_TIME,
    CALLBACK_DECLINED,
    CALLBACK_OFFER,
    CONFIRM,
    PROMPTS,
    SLOTS,
    STATUS_ASK_CODE,
    STATUS_ASK_NUMBER,
    STATUS_CODE_FORMAT,
    STATUS_FORGOTTEN,
    ComplaintIntake,
    callback_receipt,
    callback_time,
    find_callback_time,
    find_code,
    form_key,
    status_reply,
)
from bot.complaints.fields import extract
from bot.complaints.parsing import parse_phone
from bot.complaints.service import ComplaintService, Draft, TicketError, normalize_ticket_number
from bot.policy.loader import policy_book
from bot.text.mask import mask_phone
from bot.text.normalize import normalize
from bot.understanding import asks_the_bot, is_question, topics_in, wants_person

logger = logging.getLogger(__name__)
STORE_DOWN = "系统暂时无法保存，请稍后再发一次；急事请拨打12333人社服务热线。"
_services: Dict[str, ComplaintService] = {}


def service() -> ComplaintService:
    """One service per process (it migrates the store once); sessions stay short-lived inside."""
    if "default" not in _services:
        _services["default"] = ComplaintService()
    return _services["default"]


def intake() -> ComplaintIntake:
    return ComplaintIntake(service(), policy_book())


def message_of(tracker: Tracker) -> Dict[str, Any]:
    return tracker.latest_message or {}


def intent_of(tracker: Tracker) -> tuple[str, float]:
    intent = message_of(tracker).get("intent") or {}
    return intent.get("name") or "", float(intent.get("confidence") or 0.0)


def key_of(tracker: Tracker, slot: str, form: str) -> str:
    """The form instance's idempotency key: kept in a slot once made; made from the conversation
    and the time of the message that opened the form, so a retried call makes the same key."""
    existing = tracker.get_slot(slot)
    if existing:
        return existing
    started = next((e.get("timestamp") for e in reversed(tracker.events) if e.get("event") == "user"), None)
    return form_key(tracker.sender_id, form, started)


def requested(tracker: Tracker, prefix: str) -> Optional[str]:
    slot = tracker.get_slot("requested_slot") or ""
    return slot[len(prefix) :] if slot.startswith(prefix) else None


# ---- complaint intake ---------------------------------------------------------------------------


class ValidateComplaintForm(Action):
    """Reads every detail in the message, not only the one asked for; files on confirmation."""

    def name(self) -> Text:
        return "validate_complaint_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        key = key_of(tracker, "complaint_key", "complaint_form")
        asked = requested(tracker, "complaint_")
        intent, confidence = intent_of(tracker)
        text = message_of(tracker).get("text") or ""
        events: List[EventType] = [SlotSet("complaint_key", key)]
        if asked is not None:
            plain = normalize(text)
            if asked == "description":  # a description may well end in a question of its own
                asks_policy = asks_the_bot(plain) or (
                    is_question(plain) and any(t != "wage_arrears" for t in topics_in(plain))
                )
                answered = not (
                    intent.startswith("ask_")
                    or intent in ("check_complaint_status", "request_human")
                    or wants_person(plain)
                    or asks_policy
                )
            else:
                answered = bool(extract(text, today(), asked=None).values) and not is_question(plain)
            aside = await form_aside(dispatcher, tracker, "complaint_form", answered=answered)
            if aside is not None:
                if any(e.get("name") == "form_cancelled" for e in aside):
                    await asyncio.to_thread(service().discard_draft, key)
                    return aside + [SlotSet(slot, None) for slot in SLOTS.values()]
                return events + aside
        try:
            step = await asyncio.to_thread(intake().take, key, text, intent, asked)
        except SQLAlchemyError:
            logger.exception("complaint intake: the store failed")
            dispatcher.utter_message(text=STORE_DOWN)
            return events + [SlotSet("requested_slot", tracker.get_slot("requested_slot") or SLOTS["name"])]
        for message in step.messages:
            dispatcher.utter_message(text=message)
        events += [SlotSet(slot, value) for slot, value in step.slots.items()]
        if step.outcome:
            events.append(SlotSet("complaint_outcome", step.outcome))
        events.append(SlotSet("requested_slot", step.next_slot))
        return events


def _complaint_ask_action(field_name: str):
    class ActionAskComplaintField(Action):
        def name(self) -> Text:
            return f"action_ask_complaint_{field_name}"

        async def run(self, dispatcher, tracker, domain) -> List[EventType]:
            if field_name == CONFIRM:
                dispatcher.utter_message(text=with_resume(tracker, ComplaintIntake.summary(tracker.slots)))
            else:
                dispatcher.utter_message(text=with_resume(tracker, ComplaintIntake.prompt(field_name, tracker.slots)))
            return [SlotSet("resume_note", None)]

    ActionAskComplaintField.__name__ = f"ActionAskComplaint{field_name.title()}"
    return ActionAskComplaintField


(
    ActionAskComplaintName,
    ActionAskComplaintPhone,
    ActionAskComplaintEmployer,
    ActionAskComplaintSite,
    ActionAskComplaintAmount,
    ActionAskComplaintMonths,
    ActionAskComplaintWorkers,
    ActionAskComplaintDescription,
    ActionAskComplaintConfirmed,
) = (_complaint_ask_action(name) for name in (*PROMPTS, CONFIRM))


class ActionComplaintDone(Action):
    """After the form: the receipt for a filed ticket, with its 查询码 the first time; the slots are
    cleared for the next one. Only for the ticket this form's key filed: a tracker that merely names
    a ticket number gets nothing."""

    def name(self) -> Text:
        return "action_complaint_done"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        number, key = tracker.get_slot("complaint_ticket"), tracker.get_slot("complaint_key")
        if tracker.get_slot("complaint_outcome") == "filed" and number and key:
            ticket, code = await asyncio.to_thread(service().receipt_for, key, number)
            if ticket is not None:
                dispatcher.utter_message(text=intake().receipt(ticket, tracker.get_slot("region"), code))
        return [SlotSet(slot, None) for slot in SLOTS.values()] + [
            SlotSet("complaint_key", None),
            SlotSet("complaint_outcome", None),
            SlotSet("form_cancelled", None),
            SlotSet("resume_note", None),
        ]


# ---- status -------------------------------------------------------------------------------------

CODE_STEP = "phone4"  # the form's second slot is still named status_phone4 in domain.yml; it takes the 查询码
_FORGOT = ("忘了", "不记得", "不知道", "找不到", "没有", "丢了")


class ValidateStatusForm(Action):
    """Ticket number and its 查询码, from one message or two; questions answered aside. Wrong codes
    are counted in the store (per ticket and per sender, bot.complaints.service), never in a slot:
    the status_attempts slot of older trackers is ignored."""

    def name(self) -> Text:
        return "validate_status_form"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        text = normalize(message_of(tracker).get("text") or "")
        asked = requested(tracker, "status_")
        done = [SlotSet("status_ticket", None), SlotSet("requested_slot", None)]
        number = normalize_ticket_number(text)
        rest = re.sub(r"QX[-\s]?\d{8}[-\s]?\d{1,4}", " ", text, flags=re.I)
        known = (
            number
            or tracker.get_slot("status_ticket")
            or (tracker.get_slot("complaint_ticket") if asked is None else None)
        )
        code = find_code(rest) if (known or asked == CODE_STEP) else None
        if asked is not None:
            aside = await form_aside(dispatcher, tracker, "status_form", answered=bool(number or code))
            if aside is not None:
                return aside + ([SlotSet("status_ticket", None)] if aside[0].get("name") == "form_cancelled" else [])
        if number is None:
            number = tracker.get_slot("status_ticket") if asked == CODE_STEP else None
        if number is None and asked is None:
            number = tracker.get_slot("complaint_ticket")
        if asked is not None and code is None and any(word in text for word in _FORGOT):
            dispatcher.utter_message(text=STATUS_FORGOTTEN)
            return done
        if number is None:
            if asked == "ticket":
                dispatcher.utter_message(text="没有找到工单号。")
            return [SlotSet("status_ticket", None), SlotSet("requested_slot", "status_ticket")]
        if code is None:
            if asked == CODE_STEP:
                dispatcher.utter_message(text=STATUS_CODE_FORMAT)
            return [SlotSet("status_ticket", number), SlotSet("requested_slot", "status_phone4")]
        check = await asyncio.to_thread(service().status_for, number, code, tracker.sender_id)
        dispatcher.utter_message(text=status_reply(number, check))
        return done


ActionAskStatusTicket = prompt_action("action_ask_status_ticket", STATUS_ASK_NUMBER)


class ActionAskStatusCode(Action):
    def name(self) -> Text:
        return "action_ask_status_phone4"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        dispatcher.utter_message(
            text=with_resume(tracker, f"查询工单 {tracker.get_slot('status_ticket')}。{STATUS_ASK_CODE}")
        )
        return [SlotSet("resume_note", None)]


# ---- callbacks ----------------------------------------------------------------------------------


class ValidateCallbackForm(Action):
    def name(self) -> Text:
        return "validate_callback_form"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        key = key_of(tracker, "callback_key", "callback_form")
        asked = requested(tracker, "callback_")
        intent, _ = intent_of(tracker)
        raw = message_of(tracker).get("text") or ""
        text = normalize(raw).strip()
        events: List[EventType] = [SlotSet("callback_key", key)]
        phone, problem = parse_phone(text)
        declined = asked == "wanted" and (
            intent in ("deny", "goodbye") or any(w in text for w in ("不用", "不需要", "不要", "算了", "不必"))
        )
        if asked is not None and not declined:  # at the offer itself, "不用了" is the answer "no"
            timed = asked == "time" and callback_time(raw) is not None and not is_question(text)
            aside = await form_aside(dispatcher, tracker, "callback_form", answered=bool(phone) or timed)
            if aside is not None:
                if aside[0].get("name") == "form_cancelled":
                    return events + aside + [SlotSet("callback_wanted", "cancelled")]
                return events + aside
        if asked is None:  # opened by request_human or by repeated fallbacks: offer, unless a phone came along
            if not phone:
                return events + [SlotSet("requested_slot", "callback_wanted")]
            asked = "phone"  # "找个人给俺回电话，号码是139…，明天上午都在": filed from this message
        if asked == "wanted":
            if phone:
                asked = "phone"
            elif intent in ("deny", "goodbye") or any(w in text for w in ("不用", "不需要", "不要", "算了", "不必")):
                return events + [SlotSet("callback_wanted", False), SlotSet("requested_slot", None)]
            elif intent == "affirm" or any(w in text for w in ("需要", "要", "好", "可以", "行", "麻烦")):
                return events + [SlotSet("callback_wanted", True), SlotSet("requested_slot", "callback_phone")]
            else:
                dispatcher.utter_message(text="请回复“需要”或“不用”。")
                return events + [SlotSet("requested_slot", "callback_wanted")]
        try:
            if asked == "phone":
                if not phone:
                    dispatcher.utter_message(text=f"{problem}。")
                    return events + [SlotSet("callback_wanted", True), SlotSet("requested_slot", "callback_phone")]
                await asyncio.to_thread(service().save_draft, key, Draft(phone=phone))
                when = find_callback_time(raw)
                if when is None:
                    return events + [
                        SlotSet("callback_wanted", True),
                        SlotSet("callback_phone", mask_phone(phone)),
                        SlotSet("requested_slot", "callback_time"),
                    ]
                draft = await asyncio.to_thread(service().load_draft, key)
                draft.callback_time = when
                ticket, _ = await asyncio.to_thread(service().file, key, draft, "callback")
                return events + [
                    SlotSet("callback_wanted", True),
                    SlotSet("callback_phone", mask_phone(phone)),
                    SlotSet("callback_time", when),
                    SlotSet("callback_ticket", ticket.number),
                    SlotSet("requested_slot", None),
                ]
            when = callback_time(raw)
            if when is None:
                dispatcher.utter_message(text="请简单说一个时间，例如“明天上午”，50字以内。")
                return events + [SlotSet("requested_slot", "callback_time")]
            draft = await asyncio.to_thread(service().load_draft, key)
            draft.callback_time = when
            ticket, _ = await asyncio.to_thread(service().file, key, draft, "callback")
        except TicketError as exc:
            dispatcher.utter_message(text=f"{exc}。")
            return events + [SlotSet("requested_slot", "callback_phone")]
        except SQLAlchemyError:
            logger.exception("callback: the store failed")
            dispatcher.utter_message(text=STORE_DOWN)
            return events + [SlotSet("requested_slot", tracker.get_slot("requested_slot"))]
        return events + [
            SlotSet("callback_time", when),
            SlotSet("callback_ticket", ticket.number),
            SlotSet("requested_slot", None),
        ]


class ActionAskCallbackWanted(Action):
    def name(self) -> Text:
        return "action_ask_callback_wanted"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        prefix = "抱歉，我还是没能理解您的问题。" if tracker.get_slot("handoff_offer") else ""
        dispatcher.utter_message(text=with_resume(tracker, prefix + CALLBACK_OFFER))
        return [SlotSet("resume_note", None)]


ActionAskCallbackPhone = prompt_action("action_ask_callback_phone", CALLBACK_ASK_PHONE)


ActionAskCallbackTime = prompt_action("action_ask_callback_time", CALLBACK_ASK_TIME)


class ActionCallbackDone(Action):
    """The receipt of a callback request, with its 查询码 the first time; only for the ticket this
    form's key filed (like action_complaint_done)."""

    def name(self) -> Text:
        return "action_callback_done"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        number, key = tracker.get_slot("callback_ticket"), tracker.get_slot("callback_key")
        ticket, code = await asyncio.to_thread(service().receipt_for, key, number) if number and key else (None, None)
        if ticket or tracker.get_slot("callback_wanted") != "cancelled":
            dispatcher.utter_message(text=callback_receipt(ticket, code) if ticket else CALLBACK_DECLINED)
        return [
            SlotSet(slot, None)
            for slot in ("callback_wanted", "callback_phone", "callback_time", "callback_key", "callback_ticket")
        ] + [SlotSet("handoff_offer", False), SlotSet("form_cancelled", None), SlotSet("resume_note", None)]
