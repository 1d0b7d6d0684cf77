"""The copilot: what the caller says → intent, entities and the chat's cited answer."""

from __future__ import annotations

from aiohttp import web

from bot.console.pages import render
from bot.console.rasa_client import RasaUnavailable
from bot.console.settings import BOOK, COPILOT, RASA, SETTINGS
from bot.text.mask import mask_text


async def copilot_page(request: web.Request) -> web.Response:
    return render(request, "copilot.html", regions=request.app[BOOK].regions)


async def copilot_api(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except ValueError:
        return web.json_response({"error": "请求格式不对"}, status=400)
    text = str(body.get("text") or "").strip()
    if not text:
        return web.json_response({"error": "请输入来电人说的话"}, status=400)
    if len(text) > 1000:
        return web.json_response({"error": "内容太长，请分段输入（每次不超过1000字）"}, status=400)
    region = str(body.get("region") or "") or None
    if region and region not in {r.key for r in request.app[BOOK].regions}:
        region = None
    try:
        parsed = await request.app[RASA].parse(text)
    except RasaUnavailable as exc:
        return web.json_response({"error": str(exc)}, status=503)
    suggestion = request.app[COPILOT].suggest(parsed, request.app[SETTINGS].today(), region)
    data = suggestion.to_dict()
    data["text"] = mask_text(data["text"])
    for entity in data["entities"]:  # the page shows numbers masked, as everywhere else
        entity["value"], entity["text"] = mask_text(entity["value"]), mask_text(entity["text"])
    return web.json_response(data)
