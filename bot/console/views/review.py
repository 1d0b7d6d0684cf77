"""The review of chat turns the model was unsure about; a supervisor labels them."""

from __future__ import annotations

from typing import Optional

from aiohttp import web

from bot.console.copilot import intent_label
from bot.console.pages import current, error_page, render, require_supervisor, run
from bot.console.review import ReviewError, domain_intents
from bot.console.settings import COPILOT, REVIEWS, SETTINGS, Settings
from bot.console.traffic import review_queue, review_turn


async def review_page(request: web.Request, error: Optional[str] = None, status: int = 200) -> web.Response:
    settings: Settings = request.app[SETTINGS]
    labelled = await run(request.app[REVIEWS].labelled_ids)
    threshold = request.app[COPILOT].threshold
    turns = await run(review_queue, settings.tracker_url, threshold, 50, 0, labelled)
    intents = domain_intents()
    return render(
        request,
        "review.html",
        status=status,
        turns=turns,
        intents=intents,
        label_of=intent_label,
        threshold=threshold,
        error=error,
        labelled=len(labelled),
    )


async def review_list(request: web.Request) -> web.Response:
    return await review_page(request)


@require_supervisor
async def review_label(request: web.Request) -> web.Response:
    form = await request.post()
    try:
        event_id = int(request.match_info["event_id"])
    except ValueError:
        return error_page(request, 404, "没有这条对话")
    turn = await run(review_turn, event_id, request.app[SETTINGS].tracker_url)
    if turn is None:
        return error_page(request, 404, "没有这条对话")
    try:
        await run(request.app[REVIEWS].label, turn, str(form.get("label", "")), current(request).staff.name)
    except ReviewError as exc:
        return await review_page(request, error=str(exc), status=400)
    raise web.HTTPSeeOther("/review")
