"""A tiny Intercom-like server with one listing per paging style, for paging tests.

Every request is logged (method, path, query, JSON body) so tests can check what was sent.
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

RECORDS = [{"type": "contact", "id": f"c{index}"} for index in range(25)]


def chunk(start: int, size: int) -> list[dict[str, Any]]:
    return RECORDS[start : start + size]


def build_app() -> tuple[Starlette, list[dict[str, Any]]]:
    log: list[dict[str, Any]] = []
    scrolls = {"position": 0}

    async def record(request: Request) -> dict[str, Any]:
        raw = await request.body()
        entry = {
            "method": request.method,
            "path": request.url.path,
            "query": dict(request.query_params),
            "body": json.loads(raw) if raw else None,
        }
        log.append(entry)
        return entry

    async def cursor_list(request: Request) -> JSONResponse:
        entry = await record(request)
        size = int(entry["query"].get("per_page", 10))
        start = int(entry["query"].get("starting_after", "cur-0").removeprefix("cur-"))
        end = start + size
        following = (
            {"per_page": size, "starting_after": f"cur-{end}"} if end < len(RECORDS) else None
        )
        return JSONResponse(
            {
                "type": "list",
                "data": chunk(start, size),
                "pages": {"type": "pages", "next": following},
            }
        )

    async def merge_history(request: Request) -> JSONResponse:
        entry = await record(request)
        start = int(entry["query"].get("cursor", "0"))
        end = start + 10
        # The cursor keeps coming after the last page; only has_more says to stop.
        return JSONResponse(
            {"data": chunk(start, 10), "next_cursor": str(end), "has_more": end < len(RECORDS)}
        )

    def page_reply(page: int, size: int, items: str = "data", top_level: bool = False) -> dict:
        total = math.ceil(len(RECORDS) / size)
        reply: dict[str, Any] = {items: chunk((page - 1) * size, size)}
        if top_level:
            reply.update(page=page, total_pages=total)
        else:
            reply["pages"] = {"type": "pages", "page": page, "per_page": size, "total_pages": total}
        return reply

    async def page_list(request: Request) -> JSONResponse:
        entry = await record(request)
        page, size = int(entry["query"].get("page", 1)), int(entry["query"].get("per_page", 10))
        return JSONResponse(page_reply(page, size))

    async def page_top_level(request: Request) -> JSONResponse:
        entry = await record(request)
        page, size = int(entry["query"].get("page", 1)), int(entry["query"].get("per_page", 10))
        return JSONResponse(page_reply(page, size, top_level=True))

    async def page_without_total(request: Request) -> JSONResponse:
        entry = await record(request)
        page, size = int(entry["query"].get("page", 1)), int(entry["query"].get("per_page", 10))
        return JSONResponse({"data": chunk((page - 1) * size, size)})

    async def page_in_body(request: Request) -> JSONResponse:
        entry = await record(request)
        body = entry["body"] or {}
        return JSONResponse(
            page_reply(int(body.get("page", 1)), int(body.get("per_page", 10)), "activity_logs")
        )

    async def scroll(request: Request) -> JSONResponse:
        entry = await record(request)
        if "scroll_param" not in entry["query"]:
            scrolls["position"] = 0
        start = scrolls["position"]
        scrolls["position"] += 10
        return JSONResponse(
            {"type": "list", "data": chunk(start, 10), "pages": None, "scroll_param": "scroll-1"}
        )

    async def search(request: Request) -> JSONResponse:
        entry = await record(request)
        pagination = (entry["body"] or {}).get("pagination", {})
        size = int(pagination.get("per_page", 10))
        start = int(pagination.get("starting_after", "cur-0").removeprefix("cur-"))
        end = start + size
        following = (
            {"per_page": size, "starting_after": f"cur-{end}"} if end < len(RECORDS) else None
        )
        return JSONResponse(
            {"type": "list", "data": chunk(start, size), "pages": {"next": following}}
        )

    async def events(request: Request) -> JSONResponse:
        entry = await record(request)
        start = int(entry["query"].get("next", 0))
        end = start + 10
        link = (
            str(request.url.replace(query=f"next={end}&per_page=10"))
            if end < len(RECORDS)
            else None
        )
        return JSONResponse(
            {"type": "event.list", "events": chunk(start, 10), "pages": {"next": link}}
        )

    async def deleted(request: Request) -> JSONResponse:
        entry = await record(request)
        page = int(entry["query"].get("page", 1))
        link = f"/conversations/deleted?page={page + 1}&per_page=10" if page < 3 else None
        return JSONResponse({"conversations": chunk((page - 1) * 10, 10), "pages": {"next": link}})

    async def loop(request: Request) -> JSONResponse:
        await record(request)
        return JSONResponse({"data": [RECORDS[0]], "pages": {"next": {"starting_after": "same"}}})

    async def looping_link(request: Request) -> JSONResponse:
        await record(request)
        return JSONResponse({"events": [RECORDS[0]], "pages": {"next": "/events/loop"}})

    async def no_list(request: Request) -> JSONResponse:
        await record(request)
        return JSONResponse({"type": "list", "pages": None})

    routes = [
        Route("/contacts", cursor_list),
        Route("/contacts/search", search, methods=["POST"]),
        Route("/contacts/{id}/merge_history", merge_history),
        Route("/companies", page_list),
        Route("/articles", page_top_level),
        Route("/calls", page_without_total),
        Route("/admins/activity_logs/search", page_in_body, methods=["POST"]),
        Route("/companies/scroll", scroll),
        Route("/events", events),
        Route("/events/loop", looping_link),
        Route("/conversations/deleted", deleted),
        Route("/loop", loop),
        Route("/no_list", no_list),
    ]
    return Starlette(routes=routes), log
