"""A bounded record of the API requests the sandbox answered, for assertions and debugging.

Tests ask "how many times was POST /contacts called, and what happened" without a proxy;
``GET /_sandbox/requests`` exposes the same records to code outside the process.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any, NamedTuple


class RequestRecord(NamedTuple):
    """One request as the log keeps it, for tests and ``/_sandbox/requests``."""

    method: str
    path: str
    query: str
    status: int | None
    """``None`` when the connection was dropped without a reply."""
    started_at: float
    duration_ms: float
    fault: str | None
    operation: str | None
    request_id: str

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()


class RequestLog:
    def __init__(self, maxlen: int = 10_000) -> None:
        self._records: deque[RequestRecord] = deque(maxlen=maxlen)

    @property
    def maxlen(self) -> int | None:
        return self._records.maxlen

    def append(self, record: RequestRecord) -> None:
        self._records.append(record)

    def clear(self) -> None:
        self._records.clear()

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(list(self._records))

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, index: int) -> RequestRecord:
        return list(self._records)[index]

    def matching(self, method: str | None = None, path: str | None = None) -> list[RequestRecord]:
        return [
            r
            for r in self._records
            if (method is None or r.method == method.upper()) and (path is None or r.path == path)
        ]

    def to_list(self) -> list[dict[str, Any]]:
        return [r.to_dict() for r in self._records]
