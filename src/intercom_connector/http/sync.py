"""A blocking facade over `AsyncApiClient` for scripts and the CLI.

There is one implementation of the protocol, the async one. The facade runs it on a private
event loop in a daemon thread and waits for the results, so blocking callers get the same
retries, limiter and paging, and can be used from code that already runs its own event loop.
Listings cross the thread boundary one page at a time (not one record at a time), which keeps
`iterate` lazy without paying a thread hop per record.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from intercom_connector.httpx_lib import httpx

from .client import AsyncApiClient, EventHandler, Sleep
from .paginators import PaginationSpec, make_paginator
from .ratelimit import RateLimiter, RateLimitPolicy
from .regions import DEFAULT_VERSION
from .reply import DownloadResult, Reply
from .request import RequestSpec
from .retry import RetryPolicy

__all__ = ["ApiClient", "LoopThread"]

T = TypeVar("T")


class LoopThread:
    """An event loop running forever in a daemon thread, fed coroutines from other threads."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="intercom-connector-loop", daemon=True
        )
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError("the sync client cannot be called from its own event loop")
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()  # e.g. KeyboardInterrupt: do not leave the request running
            raise

    def drain(self, items: Any) -> Iterator[Any]:
        """Yield an async generator's items to blocking code, one loop hop per item; closes
        the generator when the caller stops early."""
        try:
            while True:
                item = self.run(_next_item(items))
                if item is _DONE:
                    return
                yield item
        finally:
            if not self.loop.is_closed():
                self.run(items.aclose())

    def stop(self) -> None:
        if self.loop.is_closed():
            return
        self.run(self.loop.shutdown_asyncgens())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


async def _next_item(items: Any) -> Any:
    try:
        return await items.__anext__()
    except StopAsyncIteration:
        return _DONE


_DONE = object()


class ApiClient:
    """The blocking twin of `AsyncApiClient`: same arguments, same methods.

    `on_event` is called on the client's loop thread.
    """

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
        headers: Mapping[str, str] | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        on_event: EventHandler | None = None,
        max_connections: int = 64,
    ) -> None:
        self._loop = LoopThread()

        async def build() -> AsyncApiClient:  # inside the loop that will drive it
            return AsyncApiClient(
                token,
                region=region,
                base_url=base_url,
                version=version,
                retry=retry,
                rate_limit=rate_limit,
                limiter=limiter,
                transport=transport,
                timeout=timeout,
                headers=headers,
                sleep=sleep,
                clock=clock,
                on_event=on_event,
                max_connections=max_connections,
            )

        try:
            self._client = self._loop.run(build())
        except BaseException:
            self._loop.stop()
            raise

    @property
    def base_url(self) -> str:
        return self._client.base_url

    @property
    def limiter(self) -> RateLimiter:
        return self._client.limiter

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, version={self._client.version!r})"
        )

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close connections and stop the loop thread; safe to call twice."""
        if self._loop.loop.is_closed():
            return
        try:
            self._loop.run(self._client.aclose())
        finally:
            self._loop.stop()

    def send(self, request: RequestSpec, *, raise_for_status: bool = True) -> Reply:
        return self._loop.run(self._client.send(request, raise_for_status=raise_for_status))

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any | None = None,
        headers: Mapping[str, str] | None = None,
        retry_safe: bool | None = None,
        accept: str = "application/json",
        raise_for_status: bool = True,
    ) -> Reply:
        return self._loop.run(
            self._client.request(
                method,
                url,
                params=params,
                json=json,
                headers=headers,
                retry_safe=retry_safe,
                accept=accept,
                raise_for_status=raise_for_status,
            )
        )

    def pages(
        self, request: RequestSpec, pagination: PaginationSpec | Mapping[str, Any]
    ) -> Iterator[dict[str, Any]]:
        """Every page, fetched when the caller asks for it."""
        walk = self._client._walk(make_paginator(pagination), request)
        return self._loop.drain(walk)

    def iterate(
        self, request: RequestSpec, pagination: PaginationSpec | Mapping[str, Any]
    ) -> Iterator[Any]:
        """Every record, fetched a page at a time as the caller consumes them."""
        paginator = make_paginator(pagination)
        for page in self._loop.drain(self._client._walk(paginator, request)):
            yield from paginator.items(page)

    def download(self, request: RequestSpec, dest_dir: Path | str, filename: str) -> DownloadResult:
        return self._loop.run(self._client.download(request, dest_dir, filename))
