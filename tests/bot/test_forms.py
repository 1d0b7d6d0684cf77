"""The one form shape (bot/forms.py): what a form reads of a turn, and what every form does after
an aside."""

from bot.dialogue import Turn
from bot.forms import RESUME, Aside, FormStep, FormTurn, after_aside, with_resume


def turn(text="", intent="inform", requested=None, **slots):
    return FormTurn(Turn(intent, text), requested=requested, slots=slots)


def test_the_field_asked_for_is_read_without_the_forms_prefix():
    assert turn(requested="status_ticket").asked("status_") == "ticket"
    assert turn(requested="complaint_ticket").asked("status_") is None  # another form's slot
    assert turn().asked("status_") is None
    assert turn("你好", "greet").text == "你好" and turn("你好", "greet").intent == "greet"


def test_after_a_cancel_the_form_ends_and_after_anything_else_it_asks_again():
    cancelled = after_aside("status_form", turn(requested="status_ticket"), Aside(["已取消"], cancel=True))
    assert cancelled == FormStep({"form_cancelled": True}, ["已取消"], None)
    resumed = after_aside("status_form", turn(requested="status_ticket"), Aside(["答复"]))
    assert resumed == FormStep({"resume_note": RESUME["status_form"]}, ["答复"], "status_ticket")


def test_the_question_after_an_aside_says_the_form_goes_on():
    assert with_resume("请提供工单号", "继续查询") == "继续查询：请提供工单号"
    assert with_resume("请提供工单号", None) == "请提供工单号"
