"""Wage-arrears complaints, status checks and callbacks: thin rasa-sdk actions over the forms in
bot/complaints (complaint_form.py, status_form.py, callback_form.py). The full phone number never
goes into a slot; it waits in the store's draft.
"""

from __future__ import annotations

from actions.base import ask_action, complaint_service
from actions.forms import FormDone, FormValidator
from bot.complaints.callback_form import CallbackForm
from bot.complaints.complaint_form import ComplaintForm
from bot.complaints.status_form import StatusForm
from bot.policy.loader import policy_book


def complaint_form() -> ComplaintForm:
    return ComplaintForm(complaint_service(), policy_book())


# ---- complaint intake ---------------------------------------------------------------------------


class ValidateComplaintForm(FormValidator):
    """Reads every detail in the message, not only the one asked for; files on confirmation."""

    action_name = "validate_complaint_form"

    def form(self) -> ComplaintForm:
        return complaint_form()


ActionAskComplaintName = ask_action("complaint_name", ComplaintForm.question)
ActionAskComplaintPhone = ask_action("complaint_phone", ComplaintForm.question)
ActionAskComplaintEmployer = ask_action("complaint_employer", ComplaintForm.question)
ActionAskComplaintSite = ask_action("complaint_site", ComplaintForm.question)
ActionAskComplaintAmount = ask_action("complaint_amount", ComplaintForm.question)
ActionAskComplaintMonths = ask_action("complaint_months", ComplaintForm.question)
ActionAskComplaintWorkers = ask_action("complaint_workers", ComplaintForm.question)
ActionAskComplaintDescription = ask_action("complaint_description", ComplaintForm.question)
ActionAskComplaintConfirmed = ask_action("complaint_confirmed", ComplaintForm.question)  # the read-back


class ActionComplaintDone(FormDone):
    """The receipt (with its 查询码 the first time) of the ticket this form's key filed."""

    action_name = "action_complaint_done"

    def form(self) -> ComplaintForm:
        return complaint_form()


# ---- status -------------------------------------------------------------------------------------


class ValidateStatusForm(FormValidator):
    """Ticket number and its 查询码, from one message or two; wrong codes counted in the store."""

    action_name = "validate_status_form"

    def form(self) -> StatusForm:
        return StatusForm(complaint_service())


ActionAskStatusTicket = ask_action("status_ticket", StatusForm.question)
ActionAskStatusCode = ask_action("status_phone4", StatusForm.question)  # the slot takes the 查询码


# ---- callbacks ----------------------------------------------------------------------------------


class ValidateCallbackForm(FormValidator):
    action_name = "validate_callback_form"

    def form(self) -> CallbackForm:
        return CallbackForm(complaint_service())


ActionAskCallbackWanted = ask_action("callback_wanted", CallbackForm.question)
ActionAskCallbackPhone = ask_action("callback_phone", CallbackForm.question)
ActionAskCallbackTime = ask_action("callback_time", CallbackForm.question)


class ActionCallbackDone(FormDone):
    """The receipt of the callback request this form's key filed; declined: the hotline."""

    action_name = "action_callback_done"

    def form(self) -> CallbackForm:
        return CallbackForm(complaint_service())
