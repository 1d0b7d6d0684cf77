"""The dashboard (tickets and chat traffic) and the supervisors' audit log."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from bot.console.charts import bar_chart, column_chart
from bot.console.pages import render, require_supervisor, run
from bot.console.settings import COMPLAINTS, SETTINGS, STAFF, Settings
from bot.console.traffic import traffic_stats
from bot.dialogue import INTENT_TOPICS
from bot.policy.model import TOPICS


async def dashboard_page(request: web.Request) -> web.Response:
    settings: Settings = request.app[SETTINGS]
    until = settings.today()
    since = until - dt.timedelta(days=29)
    per_day, per_status = await run(request.app[COMPLAINTS].counts, since, until)
    traffic = await run(traffic_stats, settings.tracker_url)
    asked = [(TOPICS[INTENT_TOPICS[i]], n) for i, n in traffic.intent_counts.items() if i in INTENT_TOPICS][:10]
    charts = {
        "per_day": column_chart(
            [(f"{d:%m-%d}", n) for d, n in per_day], f"每日新增工单（{since:%m-%d} 至 {until:%m-%d}）"
        ),
        "per_status": bar_chart(list(per_status.items()), "工单状态分布（全部）", "件"),
        "asked": bar_chart(asked, "咨询最多的政策（聊天记录）", "次"),
    }
    return render(request, "dashboard.html", charts=charts, traffic=traffic, filed=sum(n for _, n in per_day))


@require_supervisor
async def audit_page(request: web.Request) -> web.Response:
    action = (request.query.get("action") or "").strip()[:32] or None
    entries = await run(request.app[STAFF].audit_log, action, None, 200)
    return render(request, "audit.html", entries=entries, action=action)
