"""The few things the sandbox reads of an ASGI request: headers, body and the base URL.

Starlette's ``Request`` did this, but importing it (with its form parsing, cookies and
multi-dicts) cost a one-request sandbox (``call --sandbox``) more than serving the request;
the sandbox needs only what is here. Semantics follow starlette's: header names compare
case-insensitively and the first of repeated headers wins, text is latin-1, the body is
read once, and a client that leaves before its body arrives raises ``ClientDisconnect``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]

_DEFAULT_PORTS = {"http": 80, "https": 443}


class ClientDisconnect(Exception):
    """The client closed the connection before the request body was read."""


class Headers(Mapping[str, str]):
    """Request headers by case-insensitive name; the first of repeated headers wins."""

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self._values: dict[str, str] = {}
        for name, value in raw:
            self._values.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))

    def __getitem__(self, name: str) -> str:
        return self._values[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class WireRequest:
    def __init__(self, scope: Scope, receive: Receive) -> None:
        self.scope = scope
        self._receive = receive
        self._body: bytes | None = None
        self.headers = Headers(scope.get("headers", []))

    @property
    def method(self) -> str:
        return str(self.scope["method"])

    @property
    def query_params(self) -> dict[str, str]:
        """The query string's fields, blanks kept; the last of repeated fields wins."""
        return dict(parse_qsl(self.scope.get("query_string", b"").decode("latin-1"), True))

    @property
    def base_url(self) -> str:
        """``scheme://host[:port]`` plus the root path, as the client addressed the app."""
        scheme = self.scope.get("scheme", "http")
        root = self.scope.get("app_root_path", self.scope.get("root_path", ""))
        host = self.headers.get("host")
        if host is None and self.scope.get("server") is not None:
            name, port = self.scope["server"]
            host = name if _DEFAULT_PORTS.get(scheme) == port else f"{name}:{port}"
        prefix = f"{scheme}://{host}" if host is not None else ""
        return f"{prefix}{root}/"

    async def body(self) -> bytes:
        if self._body is None:
            chunks: list[bytes] = []
            while True:
                message = await self._receive()
                if message["type"] == "http.disconnect":
                    raise ClientDisconnect()
                if message["type"] == "http.request":
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body", False):
                        break
            self._body = b"".join(chunks)
        return self._body
