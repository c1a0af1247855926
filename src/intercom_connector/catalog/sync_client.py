"""`IntercomClient`: the blocking twin of `AsyncIntercomClient`, for scripts and notebooks.

There is one executor, the async one; this facade drives it on a private event loop in a
daemon thread. Listings cross the thread boundary a page at a time, so ``iterate`` stays lazy
without a thread hop per record.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType
from typing import Any

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.catalog.model import Operation
from intercom_connector.http.sync import LoopThread


class IntercomClient:
    """Run catalog operations by name from blocking code. Takes AsyncIntercomClient's arguments."""

    def __init__(self, token: str | None = None, **options: Any) -> None:
        self._loop = LoopThread()

        async def build() -> AsyncIntercomClient:  # inside the loop that will drive it
            return AsyncIntercomClient(token, **options)

        try:
            self._client = self._loop.run(build())
        except BaseException:
            self._loop.stop()
            raise

    def __enter__(self) -> IntercomClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if not self._loop.loop.is_closed():
            self._loop.run(self._client.aclose())
            self._loop.stop()

    @property
    def base_url(self) -> str:
        return self._client.base_url

    def operation(self, name: str) -> Operation:
        return self._client.operation(name)

    def call(self, name: str, data: dict[str, Any] | None = None) -> Any:
        """Run one operation and return its reply."""
        return self._loop.run(self._client.call(name, data))

    def batches(
        self, name: str, data: dict[str, Any] | None = None, **listing: Any
    ) -> Iterator[list[Any]]:
        """The records a page at a time; ``parallel``, ``order`` and ``updated_since`` as in
        AsyncIntercomClient.batches."""
        return self._loop.drain(self._client.batches(name, data, **listing))

    def iterate(
        self, name: str, data: dict[str, Any] | None = None, **listing: Any
    ) -> Iterator[Any]:
        """Every record across all pages, fetched a page at a time as they are consumed."""
        for batch in self.batches(name, data, **listing):
            yield from batch

    def collect(self, name: str, data: dict[str, Any] | None = None) -> list[Any]:
        return list(self.iterate(name, data))

    def raw(self, method: str, endpoint: str, **options: Any) -> dict[str, Any]:
        """The universal operation; see AsyncIntercomClient.raw."""
        result: dict[str, Any] = self._loop.run(self._client.raw(method, endpoint, **options))
        return result
