"""The policy clauses: browsing and searching them, and one clause as JSON for the copilot."""

from __future__ import annotations

from typing import Dict, List
from urllib.parse import quote

from aiohttp import web

from bot.console.pages import render
from bot.console.settings import BOOK


async def clause_api(request: web.Request) -> web.Response:
    notice = request.app[BOOK].notice(request.match_info["notice"])
    if notice is None:
        return web.json_response({"error": "没有这份通知"}, status=404)
    try:
        clause = notice.clause(request.match_info["clause"])
    except KeyError:
        return web.json_response({"error": "没有这一条"}, status=404)
    return web.json_response(
        {
            "notice": notice.number,
            "title": notice.title,
            "cite": clause.cite,
            "heading": clause.heading,
            "text": clause.text,
            "link": f"/policies#{clause_anchor(notice.key, clause.id)}",
        }
    )


def clause_anchor(notice_key: str, clause_id: str) -> str:
    return "c-" + quote(f"{notice_key}-{clause_id}", safe="")


async def policies_page(request: web.Request) -> web.Response:
    book = request.app[BOOK]
    query = (request.query.get("q") or "").strip()[:50]
    notices = []
    for notice in book.notices:
        resting: Dict[str, List[str]] = {}
        for benefit in notice.benefits:
            ids = {*benefit.clauses, *(c.clause for c in benefit.conditions), *(w.clause for w in benefit.windows)}
            for clause_id in ids:
                resting.setdefault(clause_id, []).append(benefit.name)
        clauses = [
            {
                "id": c.id,
                "anchor": clause_anchor(notice.key, c.id),
                "cite": c.cite,
                "section": c.section,
                "heading": c.heading,
                "text": c.text,
                "benefits": resting.get(c.id, []),
            }
            for c in notice.clauses
            if not query or any(query in s for s in (c.cite, c.section, c.heading, c.text, *resting.get(c.id, [])))
        ]
        notices.append({"notice": notice, "clauses": clauses})
    found = sum(len(n["clauses"]) for n in notices)
    return render(request, "policies.html", notices=notices, query=query, found=found)
