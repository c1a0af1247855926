"""Which requests carry the token.

An auth object rather than a default header, because the client also follows absolute URLs
taken from replies (`pages.next`): one that points at another host must not receive the
token. httpx already drops it on cross-origin redirects; this covers the first hop.
"""

from __future__ import annotations

from collections.abc import Generator

from intercom_connector.httpx_lib import httpx

__all__ = ["BearerAuth", "origin_of"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port or _DEFAULT_PORTS.get(url.scheme))


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>` for requests to the client's own origin only."""

    def __init__(self, token: str, base_url: str) -> None:
        self._header = f"Bearer {token}"
        self._origin = origin_of(httpx.URL(base_url))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if origin_of(request.url) == self._origin:
            request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return "BearerAuth([redacted])"
