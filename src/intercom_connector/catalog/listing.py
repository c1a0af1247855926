"""How a listing is walked: sequentially, partitioned across a search, or page-numbered in
parallel; and incremental listings (`updated_since`).

The facts are data: which search operations can be cut into `created_at` windows (and how
their ids end, for cutting a busy day), which cursor listings have a search twin returning
the same records, and which page listings Intercom caps. The walking itself is in the HTTP
layer (`http.partitioned`, `http.page_fanout`); this module picks the strategy per operation.

`order="api"` keeps the API's order: no partitions (page-numbered listings still fetch ahead
in parallel, since they yield in page order). `order="any"` lets partitions interleave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, Literal

from intercom_connector.catalog.model import Operation
from intercom_connector.catalog.requests import build_request
from intercom_connector.errors import UsageError
from intercom_connector.http import PaginationSpec, make_paginator
from intercom_connector.http.page_fanout import concurrent_pages
from intercom_connector.http.partitioned import (
    DAY,
    NOON,
    PartitionedListing,
    PartitioningUnavailable,
    PartitionScheme,
    compose_query,
)

if TYPE_CHECKING:
    from intercom_connector.catalog.client import AsyncIntercomClient

__all__ = [
    "RECORD_CAPS",
    "SEARCH_SCHEMES",
    "SEARCH_TWINS",
    "Order",
    "incremental_operation",
    "listing_batches",
    "updated_since_filter",
]

Order = Literal["api", "any"]

HEX = "0123456789abcdef"
DIGITS = "0123456789"
SEARCH_SCHEMES: dict[str, PartitionScheme] = {
    "search_contacts": PartitionScheme(split_alphabet=HEX),  # ids are 24 hex digits
    "search_conversations": PartitionScheme(split_alphabet=DIGITS),  # ids are numbers
    "search_tickets": PartitionScheme(split_alphabet=DIGITS),
}
SEARCH_TWINS: dict[str, str] = {
    "list_contacts": "search_contacts",
    "list_conversations": "search_conversations",
}
# Inputs of a cursor listing that carry over to its search twin; any other input (a start
# cursor) means the listing is walked as asked.
_TWIN_INPUTS = frozenset({"per_page"})
RECORD_CAPS: dict[str, int] = {"list_companies": 10_000, "find_companies": 10_000}
UPDATED_FIELD = "updated_at"
# A search must have a query: every record created since 1970 is every record.
MATCH_ALL: dict[str, Any] = {"field": "created_at", "operator": ">", "value": 0}


def _timestamp(since: float | int | dt.datetime) -> float:
    if isinstance(since, dt.datetime):
        if since.tzinfo is None:
            raise UsageError("updated_since needs a time zone (e.g. datetime.now(UTC))")
        return since.timestamp()
    return float(since)


def updated_since_filter(since: float) -> dict[str, Any]:
    """A search filter that matches at least every record updated at or after ``since``,
    whether the field is compared by calendar day or by second (exactness is restored by
    dropping older records as they arrive)."""
    point = (int(since) // DAY - 1) * DAY + NOON
    return {
        "operator": "OR",
        "value": [
            {"field": UPDATED_FIELD, "operator": ">", "value": point},
            {"field": UPDATED_FIELD, "operator": "=", "value": point},
        ],
    }


def _twin_input(data: Mapping[str, Any]) -> dict[str, Any] | None:
    if set(data) - _TWIN_INPUTS:
        return None
    twin: dict[str, Any] = {"query": MATCH_ALL}
    if data.get("per_page"):
        twin["pagination"] = {"per_page": data["per_page"]}
    return twin


def incremental_operation(name: str) -> str | None:
    """The search operation that lists ``name``'s records with an `updated_at` filter."""
    if name in SEARCH_SCHEMES:
        return name
    return SEARCH_TWINS.get(name)


def _with_filter(data: Mapping[str, Any], group: dict[str, Any]) -> dict[str, Any]:
    try:
        query = compose_query(data.get("query"), [group])
    except PartitioningUnavailable as reason:
        raise UsageError(f"cannot add the updated_since filter: {reason}") from None
    return {**data, "query": query}


async def listing_batches(
    client: AsyncIntercomClient,
    operation: Operation,
    prepared: dict[str, Any],
    *,
    parallel: int,
    order: Order,
    updated_since: float | int | dt.datetime | None,
) -> AsyncGenerator[list[Any], None]:
    """The records of a paginated listing, page by page, by the fastest allowed strategy."""
    since = None if updated_since is None else _timestamp(updated_since)
    name, data = operation.name, prepared
    if name in SEARCH_TWINS and (since is not None or (parallel > 1 and order == "any")):
        twin_input = _twin_input(prepared)
        if twin_input is not None:
            operation, data = client.prepare(SEARCH_TWINS[name], twin_input)
            name = operation.name
        elif since is not None:
            raise UsageError(f"{name} with a start cursor cannot also filter on updated_since")
    if since is not None:
        if name not in SEARCH_SCHEMES:
            raise UsageError(
                f"{name} cannot filter on {UPDATED_FIELD}; incremental listings work for "
                + ", ".join(sorted({*SEARCH_SCHEMES, *SEARCH_TWINS}))
            )
        data = _with_filter(data, updated_since_filter(since))
    async with aclosing(_batches(client, operation, data, parallel, order)) as batches:
        async for batch in batches:
            if since is not None:
                batch = [r for r in batch if _updated_at(r) >= since]
            if batch:
                yield batch


def _updated_at(record: Any) -> float:
    value = record.get(UPDATED_FIELD) if isinstance(record, Mapping) else None
    return float(value) if isinstance(value, int | float) else float("inf")


async def _batches(
    client: AsyncIntercomClient,
    operation: Operation,
    data: dict[str, Any],
    parallel: int,
    order: Order,
) -> AsyncGenerator[list[Any], None]:
    spec = PaginationSpec.from_dict(operation.pagination or {})
    request = build_request(operation, data)
    scheme = SEARCH_SCHEMES.get(operation.name)
    if parallel > 1 and order == "any" and scheme is not None:
        try:
            asked = (data.get("pagination") or {}).get("per_page")
            per_page = asked or spec.per_page_max or 150
            listing = PartitionedListing(
                client.api, request, spec, scheme, parallel=parallel, per_page=per_page
            )
        except PartitioningUnavailable as reason:
            client.api.emit({"event": "partitioning_unavailable", "reason": str(reason)})
        else:
            async with aclosing(listing.batches()) as batches:
                async for batch in batches:
                    yield batch
            return
    if parallel > 1 and spec.style == "page":
        pages = concurrent_pages(
            client.api,
            request,
            spec,
            parallel=parallel,
            record_cap=RECORD_CAPS.get(operation.name),
        )
        async with aclosing(pages) as batches:
            async for batch in batches:
                yield batch
        return
    paginator = make_paginator(spec)
    async with aclosing(client.api.pages(request, spec)) as walk:
        async for page in walk:
            yield paginator.items(page)
