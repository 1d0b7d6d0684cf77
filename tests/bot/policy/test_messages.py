"""bot/policy/messages.py: dates in words, where to ask, one WeChat message."""

import datetime as dt

import pytest

from bot.policy.messages import HOTLINE, WECHAT_LIMIT_BYTES, describe_window, fit_message, referral, window_status
from bot.policy.model import Window
from tests.conftest import all_notices_book

BOOK = all_notices_book()
ALL_BENEFITS = [b for n in BOOK.notices for b in n.benefits]
DATED_WINDOWS = [
    pytest.param(b, w, id=f"{b.key}:{w.label}") for b in ALL_BENEFITS for w in b.windows if w.start and w.end
]


@pytest.mark.parametrize("benefit, window", DATED_WINDOWS)
def test_windows_at_their_boundaries(benefit, window):
    one = dt.timedelta(days=1)
    assert window_status(window, window.start - one).startswith("尚未开始")
    assert "正在进行中" in window_status(window, window.start)
    assert "正在进行中" in window_status(window, window.end)
    assert window_status(window, window.end + one).startswith("已于")
    assert "结束" in window_status(window, window.end + one)


def test_fit_message_keeps_the_citation_last():
    body = ["第一行"] + [f"{i}. " + "很长的内容" * 40 for i in range(10)]
    text = fit_message(body, "（依据：测试 第1条）")
    assert len(text.encode("utf-8")) <= WECHAT_LIMIT_BYTES
    assert text.endswith("（依据：测试 第1条）")
    assert "已省略部分" in text


def test_a_message_too_long_even_for_one_line_is_cut_to_the_limit():
    text = fit_message(["很长的内容" * 400])
    assert len(text.encode("utf-8")) <= WECHAT_LIMIT_BYTES
    assert text.endswith("…")


def test_referral_names_the_hotline_first_and_the_notices_own_channels():
    assert referral(None) == f"请咨询{HOTLINE}人社服务热线"
    for notice in BOOK.notices:
        text = referral(notice)
        assert HOTLINE in text
        assert all(c.name in text for c in notice.channels)


def test_a_window_without_dates_says_so():
    window = Window(label="申领时间", text="另行通知", clause="1")
    assert describe_window(window, dt.date(2023, 1, 20)) == "申领时间：另行通知（通知未写明具体起止日期）"
