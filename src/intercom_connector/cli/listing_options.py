"""`call --all` options for fast and incremental listings: --parallel, --order,
--updated-since and --state (see docs/listing.md)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from intercom_connector.errors import UsageError

if TYPE_CHECKING:
    from intercom_connector.catalog.client import AsyncIntercomClient

MAX_PARALLEL = 64


class ListingOrder(StrEnum):
    api = "api"
    any = "any"


ParallelOption = Annotated[
    int,
    typer.Option(
        "--parallel",
        min=1,
        max=MAX_PARALLEL,
        help="With --all: requests in flight at once, under the shared rate limit. Searches "
        "(and list_contacts, list_conversations) are cut into created_at partitions.",
    ),
]
OrderOption = Annotated[
    ListingOrder | None,
    typer.Option(
        "--order",
        help="With --all: api keeps the API's order (no partitions); any lets partitions "
        "interleave (default with --parallel above 1).",
        show_default=False,
    ),
]
UpdatedSinceOption = Annotated[
    str | None,
    typer.Option(
        "--updated-since",
        help="With --all: only records updated since a unix time, an ISO 8601 time or a "
        "duration ago (24h, 7d).",
        show_default=False,
    ),
]
StateOption = Annotated[
    str | None,
    typer.Option(
        "--state",
        help="With --all: a JSON file keeping the high-water mark between runs; the next run "
        "lists what changed since.",
        show_default=False,
    ),
]


@dataclass
class Listing:
    """How `call --all` walks a listing, and the state it keeps between runs."""

    parallel: int = 1
    order: ListingOrder | None = None
    updated_since: str | None = None
    state_file: str | None = None

    def check(self, all_pages: bool) -> None:
        if all_pages:
            return
        for flag, given in (
            ("--parallel", self.parallel != 1),
            ("--order", self.order is not None),
            ("--updated-since", self.updated_since is not None),
            ("--state", self.state_file is not None),
        ):
            if given:
                raise UsageError(f"{flag} applies to listings: add --all")

    async def records(
        self, client: AsyncIntercomClient, name: str, data: dict
    ) -> AsyncIterator[Any]:
        """Every record; the state file is updated only once the listing finished."""
        from intercom_connector.catalog.watermark import ListingState, parse_since

        started = time.time()
        state = ListingState(self.state_file, name) if self.state_file else None
        since = parse_since(self.updated_since, started) if self.updated_since else None
        if since is None and state is not None:
            since = state.load()
        records = client.iterate(
            name,
            data,
            parallel=self.parallel,
            order=self.order.value if self.order else None,
            updated_since=since,
        )
        async for record in records:
            yield record
        if state is not None:
            state.save(started)
