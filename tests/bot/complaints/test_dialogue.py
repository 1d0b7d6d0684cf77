"""The complaint conversation without Rasa: what is asked, read back, corrected, filed."""

import datetime as dt

import pytest

from bot.complaints.dialogue import (
    CONFIRM,
    SLOTS,
    ComplaintIntake,
    callback_receipt,
    callback_time,
    display,
    find_code,
    form_key,
    status_reply,
)
from bot.complaints.service import ComplaintService, Draft, StatusAnswer, StatusCheck

DAY = dt.date(2023, 1, 15)
ALL_IN_ONE = "我叫王大力，电话13912345678，嵊泗某水产公司欠我三个月工资一共一万二"


@pytest.fixture
def service(store_url):
    return ComplaintService(store_url, clock=lambda: DAY)


@pytest.fixture
def intake(service, book):
    return ComplaintIntake(service, book, today=lambda: DAY)


class Chat:
    """Plays the form the way Rasa does: keeps the slots and the field asked for."""

    def __init__(self, intake, key="conversation-1"):
        self.intake, self.key = intake, key
        self.slots, self.asked, self.said = {}, None, []

    def say(self, text, intent="inform"):
        asked = self.asked[len("complaint_") :] if self.asked else None
        step = self.intake.take(self.key, text, intent, asked)
        self.slots.update(step.slots)
        self.said = step.messages
        self.asked = step.next_slot
        return step


def test_details_in_the_first_message_are_not_asked_again(intake):
    chat = Chat(intake)
    chat.say(ALL_IN_ONE, "complain_wage_arrears")
    assert chat.asked == SLOTS["site"]
    assert chat.slots[SLOTS["name"]] == "王大力"
    assert chat.slots[SLOTS["phone"]] == "139****5678"
    assert chat.slots[SLOTS["amount"]] == "12000元"
    assert chat.slots[SLOTS["months"]] == "3个月（具体月份未说明）"
    assert chat.slots[SLOTS["description"]] == "我叫王大力，电话139****5678，嵊泗某水产公司欠我三个月工资一共一万二"
    chat.say("在船上干活")
    assert chat.asked == SLOTS["workers"]
    chat.say("就我一个")
    assert chat.asked == SLOTS[CONFIRM]


def test_one_field_at_a_time_in_the_order_of_the_form(intake):
    chat = Chat(intake)
    chat.say("老板欠我工资", "complain_wage_arrears")
    order = []
    for answer in [
        "刘洋",
        "13812345678",
        "嵊泗华利水产有限公司",
        "跳过",
        "一万二",
        "去年10月到12月",
        "1",
        "老板说年后再发",
    ]:
        order.append(chat.asked)
        chat.say(answer)
    assert order == [
        SLOTS[f] for f in ("name", "phone", "employer", "site", "amount", "months", "workers", "description")
    ]
    assert chat.asked == SLOTS[CONFIRM]
    summary = ComplaintIntake.summary(chat.slots)
    assert "工作地点/项目：未提供" in summary and "欠薪月份：2022年10月至2022年12月（共3个月）" in summary
    assert "13812345678" not in summary and "138****5678" in summary


def test_a_bad_answer_is_explained_and_asked_again(intake):
    chat = Chat(intake)
    chat.say("我要投诉", "complain_wage_arrears")
    chat.say("王大力")
    chat.say("1391234567")
    assert chat.asked == SLOTS["phone"] and "11位" in chat.said[0]


def test_the_read_back_takes_corrections_in_plain_words(intake, service):
    chat = Chat(intake)
    chat.say(ALL_IN_ONE, "complain_wage_arrears")
    chat.say("在船上干活")
    chat.say("1")
    chat.say("电话写错了，是13987654321")
    assert chat.said == ["已修改：手机号。"] and chat.asked == SLOTS[CONFIRM]
    assert chat.slots[SLOTS["phone"]] == "139****4321"
    chat.say("金额不对，应该是一万五")
    assert chat.slots[SLOTS["amount"]] == "15000元"
    step = chat.say("确认", "affirm")
    assert step.outcome == "filed" and step.ticket.phone == "13987654321"
    assert str(step.ticket.amount_yuan) == "15000.00"


def test_an_unclear_no_at_the_read_back_asks_what_to_change(intake):
    chat = Chat(intake)
    chat.say(ALL_IN_ONE, "complain_wage_arrears")
    chat.say("在船上干活")
    chat.say("1")
    chat.say("不对", "deny")
    assert chat.asked == SLOTS[CONFIRM] and "哪一项需要修改" in chat.said[0]


def test_cancel_discards_the_draft_and_files_nothing(intake, service):
    chat = Chat(intake)
    chat.say(ALL_IN_ONE, "complain_wage_arrears")
    step = chat.say("算了不投诉了", "deny")
    assert step.outcome == "cancelled" and step.next_slot is None
    assert "已取消" in step.messages[0]
    assert service.count() == 0 and service.load_draft(chat.key) == Draft()


def test_confirming_twice_files_one_ticket(intake, service):
    chat = Chat(intake)
    chat.say(ALL_IN_ONE, "complain_wage_arrears")
    chat.say("在船上干活")
    chat.say("1")
    first = intake.take(chat.key, "确认", "affirm", CONFIRM)
    second = intake.take(chat.key, "确认", "affirm", CONFIRM)
    assert first.ticket.number == second.ticket.number and first.ticket.number.startswith("QX-20230115-")
    assert service.count() == 1


def test_ten_workers_or_no_way_home_make_it_urgent(intake):
    chat = Chat(intake)
    chat.say("我在舟山某建筑工地干活，我们十几个工友都没拿到工资，过年都回不了家", "complain_wage_arrears")
    for answer in ["王大力", "13912345678", "舟山某建筑公司", "两万", "去年12月"]:
        chat.say(answer)
    step = chat.say("确认", "affirm")
    assert step.ticket.urgent and step.ticket.urgent_reason == "涉及10人；无法回家过年"


def test_the_receipt_gives_number_code_next_step_channels_and_citation(intake, service):
    filed, _ = service.file("k", Draft(name="王大力", phone="13912345678", firm_name="某公司", workers=12))
    ticket, code = service.receipt_for("k", filed.number)
    receipt = intake.receipt(ticket, "shengsi", code)
    assert f"工单号：{ticket.number}" in receipt and "139****5678" in receipt
    assert f"查询码：{code}（查进度时需要，请保存；忘了请拨打12333）" in receipt and "提供工单号和查询码" in receipt
    assert "后四位" not in receipt and "尾号" not in receipt
    again = intake.receipt(*service.receipt_for("k", filed.number))  # asked again: no code any more
    assert code not in again and "查询码已在首次回执中给出" in again
    assert "13912345678" not in receipt
    assert "已标记为紧急（涉及12人）" in receipt
    assert "12333" in receipt and "全国根治欠薪线索反映平台" in receipt
    assert receipt.endswith("（依据：嵊人社发〔2022〕35号 第21条、第22条）")
    assert "苏人社函〔2021〕21号 五（三）" in intake.receipt(ticket, "jiangsu")
    assert len(receipt.encode("utf-8")) <= 2048


def test_the_form_introduces_itself_and_how_to_leave_once_when_it_opens(intake):
    opened = intake.take("k-intro", "老板欠了我两个月工资不给，我要投诉", "complain_wage_arrears", None)
    assert opened.messages[0].startswith("好的，我来帮您登记欠薪投诉") and "取消" in opened.messages[0]
    later = intake.take("k-intro", "王大力", "inform", "name")
    assert not any(m.startswith("好的，我来帮您") for m in later.messages)
    assert not ComplaintIntake.prompt("phone", {SLOTS["name"]: "王大力"}).startswith("好的")


def test_the_form_key_is_stable_and_never_looks_like_a_phone():
    key = form_key("user-1", "complaint_form", 1673740800.123)
    assert key == form_key("user-1", "complaint_form", 1673740800.123)
    assert key != form_key("user-1", "complaint_form", 1673740801.0)
    assert key != form_key("user-2", "complaint_form", 1673740800.123)
    assert not any(ch in key for ch in "0189")


def test_status_replies_and_codes():
    assert find_code("483920") == "483920"
    assert find_code("查询码是 048392") == "048392"
    assert find_code("１２３４５６") == "123456"
    for no_code in ("13912345678", "5678", "尾号5678", "QX20230115", "12345", "1234567"):
        assert find_code(no_code) is None, no_code
    wrong = status_reply("QX-20230115-0001", StatusCheck())
    assert "没有查到" in wrong and "查询码" in wrong and "12333" in wrong and "后四位" not in wrong
    locked = status_reply("QX-20230115-0001", StatusCheck(locked=True))
    assert "错误次数过多" in locked and "12333" in locked and "没有查到" not in locked
    answer = StatusAnswer("QX-20230115-0001", "complaint", "处理中", DAY, "2023-01-16 09:00", "已约企业面谈")
    assert "处理中" in status_reply("QX-20230115-0001", StatusCheck(answer)) and "已约企业面谈" in status_reply(
        "QX-20230115-0001", StatusCheck(answer)
    )


def test_callback_time_and_receipt(service):
    assert callback_time("随时") == "随时"
    assert callback_time("明天上午") == "明天上午"
    assert callback_time("长" * 51) is None
    assert callback_time("打13912345678") == "打139****5678"
    filed, _ = service.file("cb", Draft(phone="13912345678", callback_time="明天上午"), kind="callback")
    ticket, code = service.receipt_for("cb", filed.number)
    text = callback_receipt(ticket, code)
    assert ticket.number in text and "明天上午" in text and "139****5678" in text and "12333" in text
    assert f"查询码：{code}" in text


def test_display_shows_skipped_fields_as_not_given():
    shown = display(Draft(name="王大力", phone="13912345678", skipped=["site", "months"]))
    assert shown[SLOTS["site"]] == "未提供" and shown[SLOTS["months"]] == "未提供"
    assert shown[SLOTS["amount"]] is None


def test_a_busy_store_keeps_the_read_back_open(intake, service, monkeypatch):
    from bot.complaints.service import TicketError

    chat = Chat(intake)
    chat.say(ALL_IN_ONE, "complain_wage_arrears")
    chat.say("在船上干活")
    chat.say("1")

    def busy(*args, **kwargs):
        raise TicketError("系统繁忙，工单暂未登记，请稍后再回复“确认”", retryable=True)

    monkeypatch.setattr(service, "file", busy)
    step = chat.say("确认", "affirm")
    assert step.outcome is None and chat.asked == SLOTS[CONFIRM] and "系统繁忙" in step.messages[0]
    monkeypatch.undo()
    assert chat.say("确认", "affirm").outcome == "filed"
