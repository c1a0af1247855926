"""The request as a handler sees it: already routed, authenticated and validated.

Handlers are ``(state, call) -> Reply`` functions registered under catalog operation names
(``HANDLERS`` in each resource module), so the same dispatch serves every operation and no
module switches on resource names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .catalog_data import Operation
from .replies import Reply, invalid
from .state import SandboxState


@dataclass(frozen=True)
class Call:
    """One routed, authenticated and validated request, as every handler receives it."""

    op: Operation
    path: dict[str, str]
    query: dict[str, Any]
    body: Any
    raw_query: list[tuple[str, str]]
    headers: Mapping[str, str]
    base_url: str
    """``scheme://host[:port]`` the client used; next-page URLs are built from it."""

    @property
    def data(self) -> dict[str, Any]:
        """The JSON body as an object (validation has already checked its shape)."""
        return self.body if isinstance(self.body, dict) else {}

    def raw(self, name: str) -> str | None:
        """A query value the operation does not declare (e.g. ``before`` on events)."""
        for key, value in reversed(self.raw_query):
            if key == name:
                return value
        return None

    def flag(self, name: str) -> bool:
        return bool(self.query.get(name, False))


Handler = Callable[[SandboxState, Call], Reply]


def text_field(call: Call, name: str) -> str | None:
    value = call.data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f"{name} must be a string", name)
    return value
