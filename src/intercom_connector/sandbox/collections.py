"""Resource collections found in the spec's paths, so every resource can hold state.

A collection is a path ``P`` whose items live at ``P/{var}``: ``GET P`` lists it, ``POST P``
creates in it, ``GET``/``PUT``/``PATCH``/``DELETE P/{var}`` read, change and remove one item,
and ``GET|POST P/search`` searches it. ``P`` may sit under other path variables
(``/ticket_types/{ticket_type_id}/attributes``): each parent value then has its own items.
Nothing here names a resource; the roles come from methods and path shapes alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .catalog_data import Operation

ITEM_ROLES = {"GET": "get", "PUT": "update", "PATCH": "update", "DELETE": "delete"}
COLLECTION_ROLES = {"GET": "list", "POST": "create"}
SINGLETON_ROLES = {"GET": "read", "PUT": "replace", "PATCH": "replace"}


@dataclass
class Collection:
    """The operations of one collection, by role (``list``, ``create``, ``get``, ...)."""

    path: str
    item_param: str | None = None
    ops: dict[str, Operation] = field(default_factory=dict)

    @property
    def parent_params(self) -> tuple[str, ...]:
        return tuple(seg[1:-1] for seg in self.path.split("/") if seg.startswith("{"))

    @property
    def item_schema(self) -> Any:
        """The stored object's shape: what reading one item answers, else what creating does."""
        for role in ("get", "update", "create", "read", "replace"):
            op = self.ops.get(role)
            if op is not None and op.response_schema is not None:
                return op.response_schema
        return None

    @property
    def is_collection(self) -> bool:
        if "read" in self.ops and "replace" in self.ops:
            return True
        has_item = any(role in self.ops for role in ("get", "update", "delete"))
        return has_item and any(role in self.ops for role in ("list", "create"))


def _is_var(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def _parent(path: str) -> tuple[str, str]:
    head, _, last = path.rpartition("/")
    return head, last


def _names_in_query(op: Operation) -> bool:
    required = set(op.input_schema.get("required") or ())
    return bool(required & set(op.params_in("query")))


def discover(operations: Iterable[Operation]) -> dict[str, tuple[Collection, str]]:
    """Operation name -> (its collection, its role), for operations of real collections."""
    ops = list(operations)
    bases = {_parent(op.path)[0] for op in ops if _is_var(_parent(op.path)[1])}
    found: dict[str, Collection] = {}
    roles: list[tuple[Operation, str, str]] = []
    for op in ops:
        head, last = _parent(op.path)
        if op.path in bases and op.method in COLLECTION_ROLES:
            roles.append((op, op.path, COLLECTION_ROLES[op.method]))
        elif _is_var(last) and op.method in ITEM_ROLES:
            roles.append((op, head, ITEM_ROLES[op.method]))
            found.setdefault(head, Collection(head)).item_param = last[1:-1]
        elif last == "search" and op.method in ("GET", "POST"):
            roles.append((op, head, "search"))
        elif op.method in SINGLETON_ROLES and not _names_in_query(op):
            roles.append((op, op.path, SINGLETON_ROLES[op.method]))
    for op, base, role in roles:
        found.setdefault(base, Collection(base)).ops.setdefault(role, op)
    return {
        op.name: (found[base], role)
        for op, base, role in roles
        if found[base].is_collection and found[base].ops.get(role) is op
    }
