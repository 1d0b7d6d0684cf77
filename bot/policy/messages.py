"""The pieces every reply is built from: dates in words, where to ask, one WeChat message.

Every answer fits one WeChat text message (2048 bytes of UTF-8) and, where the notice is silent,
names public channels only (the 12333 hotline and the notice's own channels).
"""

from __future__ import annotations

import datetime as dt
from typing import Optional, Sequence

from bot.policy.model import Notice, Window

WECHAT_LIMIT_BYTES = 2048
HOTLINE = "12333"


def format_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def window_status(window: Window, today: dt.date) -> str:
    """Where today stands in a window, in words; '' when the notice gives no dates."""
    start, end = window.start, window.end
    if start and today < start:
        days = (start - today).days
        return f"尚未开始，将于{format_date(start)}开始（还有{days}天）"
    if end and today > end:
        return f"已于{format_date(end)}结束"
    if start and end:
        return f"正在进行中，截至{format_date(end)}（还剩{(end - today).days}天）"
    if end:
        return f"截至{format_date(end)}"
    if start:
        return f"自{format_date(start)}起"
    return ""


def describe_window(window: Window, today: dt.date) -> str:
    if window.start and window.end:
        span = f"{format_date(window.start)}至{format_date(window.end)}"
    elif window.text:
        span = window.text
    elif window.end:
        span = f"至{format_date(window.end)}"
    elif window.start:
        span = f"自{format_date(window.start)}起"
    else:
        span = ""
    status = window_status(window, today)
    if status:
        return f"{window.label}：{span}，{status}"
    return f"{window.label}：{span}（通知未写明具体起止日期）"


def referral(notice: Optional[Notice]) -> str:
    """Where to ask when the notice is silent: public channels only."""
    names = [c.name for c in notice.channels] if notice else []
    if not any(HOTLINE in n for n in names):
        names.insert(0, f"{HOTLINE}人社服务热线")
    return "请咨询" + "或".join(names)


def fit_message(body: Sequence[str], tail: str = "", limit: int = WECHAT_LIMIT_BYTES) -> str:
    """Join lines, dropping lines from the end of `body` until the text fits `limit` bytes.

    `tail` (the citation) always stays last.
    """
    lines = list(body)
    note = "（内容较多，已省略部分，可追问具体项目）"
    dropped = False
    while True:
        parts = lines + ([note] if dropped else []) + ([tail] if tail else [])
        text = "\n".join(parts)
        if len(text.encode("utf-8")) <= limit or len(lines) <= 1:
            break
        lines.pop()
        dropped = True
    if len(text.encode("utf-8")) > limit:
        text = text.encode("utf-8")[: limit - 3].decode("utf-8", errors="ignore") + "…"
    return text
