"""Page-numbered listings fetched concurrently, yielded in the API's order.

Once page one says how many pages there are (`total_pages`), every other page's request is
known in advance: page k is page one with ``page=k``. Up to ``parallel`` of them are in
flight at once (under the client's rate limiter) and they are handed out in page order, so
the order is the API's and memory holds at most ``parallel`` pages.

Intercom documents a cap on some page listings (companies: 10,000 records, the page that
would pass it fails). When a listing holds more than its ``record_cap``, this refuses before
fetching the rest, naming the cap, instead of returning a silently truncated listing.
Without `total_pages` in page one, the listing is walked one page at a time as before.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from .collector import young_collections_spaced
from .errors import PaginationError
from .paginators import PagePaginator, PaginationSpec, make_paginator
from .request import RequestSpec

if TYPE_CHECKING:
    from .client import AsyncApiClient

__all__ = ["concurrent_pages"]


def _total_pages(page: Mapping[str, Any]) -> int | None:
    pages = page.get("pages")
    value = pages.get("total_pages") if isinstance(pages, Mapping) else None
    if value is None:
        value = page.get("total_pages")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


async def concurrent_pages(
    api: AsyncApiClient,
    request: RequestSpec,
    pagination: PaginationSpec,
    *,
    parallel: int,
    record_cap: int | None = None,
) -> AsyncGenerator[list[Any], None]:
    """The records of every page, a page at a time, in page order."""
    pages = _pages(api, request, pagination, parallel, record_cap)
    with young_collections_spaced():  # up to ``parallel`` decoded pages alive at once
        async with aclosing(pages) as batches:
            async for batch in batches:
                yield batch


async def _pages(
    api: AsyncApiClient,
    request: RequestSpec,
    pagination: PaginationSpec,
    parallel: int,
    record_cap: int | None,
) -> AsyncGenerator[list[Any], None]:
    paginator = make_paginator(pagination)
    if not isinstance(paginator, PagePaginator):
        raise ValueError(f"concurrent pages need the page style, not {pagination.style}")
    first_request = paginator.first(request)
    first = (await api.send(first_request)).body
    if not isinstance(first, dict):
        raise PaginationError("expected a JSON object page")
    yield paginator.items(first)
    total = _total_pages(first)
    if total is None:  # no page count: walk on sequentially
        current = paginator.next(first_request, first)
        while current is not None:
            page = (await api.send(current)).body or {}
            yield paginator.items(page)
            current = paginator.next(current, page)
        return
    start = int(paginator.page_fields(first_request).get("page") or 1)
    per_page = paginator.page_fields(first_request).get("per_page")
    if record_cap is not None and isinstance(per_page, int) and total * per_page > record_cap:
        raise PaginationError(
            f"{total} pages of {per_page} go past the {record_cap:,} records Intercom serves by "
            "page; use the scroll operation instead"
        )
    numbers = iter(range(start + 1, total + 1))
    in_flight: deque[asyncio.Task[Any]] = deque()

    def launch() -> None:
        number = next(numbers, None)
        if number is not None:
            in_flight.append(
                asyncio.ensure_future(api.send(paginator.for_page(first_request, number)))
            )

    try:
        for _ in range(parallel):
            launch()
        while in_flight:
            reply = await in_flight.popleft()
            launch()
            yield paginator.items(reply.body or {})
    finally:
        for task in in_flight:
            task.cancel()
        await asyncio.gather(*in_flight, return_exceptions=True)
