"""A request as data: what the catalog layer builds and the paginators rewrite.

It is a value, not an `httpx.Request`, so that paginators can derive the next page's request
without touching the transport, and so that retries resend exactly the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["IDEMPOTENT_METHODS", "RequestSpec"]

# Methods whose repetition has the same effect as a single call (RFC 9110 section 9.2.2).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """One HTTP request.

    `url` is a path relative to the client's base URL, or an absolute URL (a `pages.next`
    link). `retry_safe` says whether sending it twice is harmless; None derives it from the
    method, and the catalog passes True for read-only POSTs such as search.
    """

    method: str
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any | None = None
    headers: dict[str, str] = field(default_factory=dict)
    retry_safe: bool | None = None
    accept: str = "application/json"

    def __post_init__(self) -> None:
        method = self.method.upper()
        if method != self.method:
            object.__setattr__(self, "method", method)
        if self.retry_safe is None:
            object.__setattr__(self, "retry_safe", method in IDEMPOTENT_METHODS)
