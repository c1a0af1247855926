"""Call any Intercom operation by name.

``AsyncIntercomClient`` is the generic executor: it looks the operation up in the catalog,
refuses it before any request when the granted scopes do not cover it, validates the input,
builds the request from the operation record and sends it through the HTTP layer's client
(retries, rate limiter, paginators). Replies stay plain dicts.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Collection
from contextlib import aclosing
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from intercom_connector.catalog.deadline import DEFAULT_DEADLINE, Stage, operation_deadline
from intercom_connector.catalog.model import Operation
from intercom_connector.catalog.registry import Catalog, load_catalog
from intercom_connector.catalog.requests import build_request
from intercom_connector.catalog.scopes import check_scope
from intercom_connector.errors import UsageError
from intercom_connector.http import (
    DEFAULT_VERSION,
    AsyncApiClient,
    IntercomError,
    PaginationError,
    RateLimiter,
    RateLimitPolicy,
    RetryPolicy,
)
from intercom_connector.httpx_lib import httpx

if TYPE_CHECKING:
    from intercom_connector.catalog.listing import Order
    from intercom_connector.catalog.validation import InputValidator


class AsyncIntercomClient:
    """Execute catalog operations by name against Intercom (or the sandbox)."""

    def __init__(
        self,
        token: str | None = None,
        *,
        region: str | None = "us",
        base_url: str | None = None,
        version: str = DEFAULT_VERSION,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimitPolicy | None = None,
        limiter: RateLimiter | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        granted_scopes: Collection[str] | None = None,
        catalog: Catalog | None = None,
        download_dir: str | Path = ".",
        on_event: Callable[[dict[str, Any]], None] | None = None,
        deadline: float | None = DEFAULT_DEADLINE,
    ) -> None:
        self.catalog = catalog or load_catalog()
        self.deadline = deadline
        self.granted_scopes = frozenset(granted_scopes) if granted_scopes is not None else None
        self.download_dir = Path(download_dir)
        self.api = AsyncApiClient(
            token,
            region=region,
            base_url=base_url,
            version=version,
            retry=retry,
            rate_limit=rate_limit,
            limiter=limiter,
            transport=transport,
            timeout=timeout,
            on_event=on_event,
        )

    @property
    def base_url(self) -> str:
        return str(self.api.base_url)

    async def __aenter__(self) -> AsyncIntercomClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.api.aclose()

    def operation(self, name: str) -> Operation:
        return self.catalog.get(name)

    def prepare(self, name: str, data: dict[str, Any] | None = None) -> tuple[Operation, dict]:
        """Resolve, authorize and validate without sending anything."""
        operation = self.catalog.get(name)
        check_scope(operation, self.granted_scopes, self.catalog.scopes)
        if (data is None or data == {}) and operation.accepts_no_input_unchecked:
            return operation, {}  # what the validator would answer, without loading it
        return operation, self.validator.prepare(operation, data)

    @property
    def validator(self) -> InputValidator:
        return self.catalog.validator

    async def call(self, name: str, data: dict[str, Any] | None = None) -> Any:
        """Run one operation and return its reply (one page for list operations)."""
        operation, prepared = self.prepare(name, data)
        stage = Stage()
        try:
            async with operation_deadline(operation, self.deadline, stage):
                if operation.kind == "composite":
                    from intercom_connector.catalog.composite import COMPOSITES

                    return await COMPOSITES[operation.name](self, prepared)
                request = build_request(operation, prepared)
                try:
                    return (await self.api.send(request)).body
                except IntercomError as error:
                    from intercom_connector.catalog.reconcile import can_settle, settle

                    if not can_settle(operation.name, prepared, error):
                        raise
                    stage.settling = True
                    return await settle(self, operation.name, prepared, request, error)
        except IntercomError as error:
            error.operation = error.operation or operation.name
            raise

    async def batches(
        self,
        name: str,
        data: dict[str, Any] | None = None,
        *,
        parallel: int = 1,
        order: Order | None = None,
        updated_since: float | datetime | None = None,
    ) -> AsyncGenerator[list[Any], None]:
        """Yield the records of each page as they arrive, whatever the pagination style.

        ``parallel`` > 1 pages concurrently under the shared rate limiter: a search (or a
        cursor listing with a search twin) is cut into disjoint partitions when ``order`` is
        ``"any"`` (the default then), page-numbered listings fetch ahead and keep their
        order. ``updated_since`` (unix time or an aware datetime) returns only records
        updated since then. See docs/listing.md.
        """
        operation, prepared = self.prepare(name, data)
        if parallel < 1:
            raise UsageError(f"{operation.name}: parallel must be at least 1, got {parallel}")
        order = order or ("any" if parallel > 1 else "api")
        if order not in ("api", "any"):
            raise UsageError(f"{operation.name}: order must be 'api' or 'any', got {order!r}")
        try:
            if operation.pagination is not None or updated_since is not None:
                if operation.pagination is None:
                    raise UsageError(f"{operation.name} is not a listing")
                from intercom_connector.catalog.listing import listing_batches  # partitions

                batches = listing_batches(
                    self,
                    operation,
                    prepared,
                    parallel=parallel,
                    order=order,
                    updated_since=updated_since,
                )
                async with aclosing(batches) as pages:
                    while True:  # the deadline bounds each page, not the whole listing
                        async with operation_deadline(operation, self.deadline, Stage()):
                            batch = await anext(pages, None)
                        if batch is None:
                            return
                        yield batch
            if operation.list_key is None:
                raise PaginationError(f"{operation.name} does not return a list of records")
            request = build_request(operation, prepared)
            async with operation_deadline(operation, self.deadline, Stage()):
                body = (await self.api.send(request)).body or {}
            records = body.get(operation.list_key)
            if records is None:  # the spec's schema and Intercom's replies disagree on some keys
                records = body.get("data")
            yield list(records or [])
        except IntercomError as error:
            error.operation = error.operation or operation.name
            raise

    async def iterate(
        self,
        name: str,
        data: dict[str, Any] | None = None,
        *,
        parallel: int = 1,
        order: Order | None = None,
        updated_since: float | datetime | None = None,
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Yield every record across all pages; the options are those of ``batches``."""
        batches = self.batches(
            name, data, parallel=parallel, order=order, updated_since=updated_since
        )
        async with aclosing(batches) as pages:
            async for batch in pages:
                for record in batch:
                    yield record

    async def collect(
        self, name: str, data: dict[str, Any] | None = None, **listing: Any
    ) -> list[dict]:
        """Every record of a list operation, as one list (options as for ``batches``)."""
        return [record async for record in self.iterate(name, data, **listing)]

    async def raw(
        self,
        method: str,
        endpoint: str,
        *,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        body: Any = None,
    ) -> dict[str, Any]:
        """The universal operation: any method and endpoint on the authentication's base URL."""
        data: dict[str, Any] = {"method": method.upper(), "endpoint": endpoint}
        if query:
            data["query"] = query
        if headers:
            data["headers"] = headers
        if body is not None:
            data["body"] = body
        result: dict[str, Any] = await self.call("raw_http_request", data)
        return result
