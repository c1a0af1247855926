"""Permission scopes: refuse an operation the authentication was not granted.

Each catalog operation names the scope it needs; an authentication carries the scopes chosen
when it was created. Checking here, before any request, means a missing permission never
costs a round trip and is reported with the scope's description.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from intercom_connector.catalog.model import Operation
from intercom_connector.errors import AuthError


class MissingScope(AuthError):
    """The authentication lacks the permission scope an operation needs."""

    label = "missing scope"

    def __init__(self, operation: str, scope: str, description: str) -> None:
        self.operation = operation
        self.scope = scope
        self.description = description
        super().__init__(
            f"{operation} needs the scope {scope!r} ({description}), which this "
            "authentication was not granted; add it to the authentication's scopes"
        )


def check_scope(
    operation: Operation,
    granted: Collection[str] | None,
    descriptions: Mapping[str, str],
) -> None:
    """Raise MissingScope unless ``granted`` covers the operation (None means unrestricted)."""
    if granted is None or operation.scope is None or operation.scope in granted:
        return
    raise MissingScope(operation.name, operation.scope, descriptions.get(operation.scope, ""))
