"""Find operations by any name people use for them.

Lookup accepts the snake_case name, the spec's operationId, the spec's summary, the connector
page's display names and other curated aliases, compared case- and punctuation-insensitively.
An unknown name raises ``UnknownOperation`` carrying the closest suggestions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from intercom_connector.catalog.data_files import packaged
from intercom_connector.catalog.model import Operation
from intercom_connector.errors import UsageError

if TYPE_CHECKING:
    from intercom_connector.catalog.validation import InputValidator


class UnknownOperation(UsageError):
    """No operation answers to the given name."""

    label = "unknown operation"

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown operation {name!r}{hint}")


def _fold(text: str) -> str:
    """Fold a name so 'List attached companies', 'list-attached-companies' and
    'listAttachedCompanies' compare equal."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


class Catalog:
    """All operations, indexed for lookup."""

    def __init__(self, document: dict[str, Any], schemas: dict[str, Any] | None = None) -> None:
        """``schemas`` (the shared ``$defs``) default to the packaged ones, read when needed."""
        self.spec_version: str = document["spec_version"]
        self.spec_sha256: str = document["spec_sha256"]
        self.servers: list[str] = list(document.get("servers", []))
        self.scopes: dict[str, str] = dict(document.get("scopes", {}))
        self._schemas = schemas
        # Records are made when first asked for: a single call needs one of them.
        self._entries: dict[str, dict[str, Any]] = {
            entry["name"]: entry for entry in document["operations"]
        }
        self._by_name: dict[str, Operation] = {}
        self._validator: InputValidator | None = None
        self._routes: list[tuple[str, re.Pattern[str], Operation]] | None = None

    @cached_property
    def operations(self) -> list[Operation]:
        """Every operation, in the catalog's order (the same records ``get`` returns)."""
        return [self._operation(name) for name in self._entries]

    def _operation(self, name: str) -> Operation:
        op = self._by_name.get(name)
        if op is None:
            op = self._by_name[name] = Operation.from_dict(self._entries[name])
        return op

    @cached_property
    def definitions(self) -> dict[str, Any]:
        """The schemas operations refer to; only validation and samples need them."""
        schemas = self._schemas if self._schemas is not None else _load_json("schemas.json")
        definitions: dict[str, Any] = schemas.get("$defs", {})
        return definitions

    @cached_property
    def _index(self) -> dict[str, Operation]:
        """Every name an operation answers to, folded; built on the first lookup by name."""
        index: dict[str, Operation] = {}
        for op in self.operations:
            keys = [op.name, op.title, *op.aliases]
            if op.operation_id:
                keys.append(op.operation_id)
            if op.kind == "spec":
                keys.append(f"{op.method} {op.path}")
            for key in keys:
                index.setdefault(_fold(key), op)
        # Summaries last: a curated name or alias always wins over the spec's wording.
        for op in self.operations:
            if op.kind == "spec" and op.summary:
                index.setdefault(_fold(op.summary), op)
        return index

    def __iter__(self) -> Iterator[Operation]:
        return iter(self.operations)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _fold(name) in self._index

    def get(self, name: str) -> Operation:
        """The operation for ``name`` (any accepted spelling), or UnknownOperation."""
        if name in self._entries:
            return self._operation(name)
        found = self._index.get(_fold(name))
        if found is None:
            raise UnknownOperation(name, self.suggest(name))
        return found

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        folded = _fold(name)
        import difflib  # only for an unknown name's suggestions

        matches = difflib.get_close_matches(folded, list(self._index), n=limit * 3, cutoff=0.5)
        names: list[str] = []
        for match in matches:
            candidate = self._index[match].name
            if candidate not in names:
                names.append(candidate)
        if not names:
            words = set(folded.split("_")) - {"list", "get", "create", "update", "delete"}
            names = [op.name for op in self.operations if words & set(op.name.split("_"))]
        return names[:limit]

    def search(self, text: str | None = None, tag: str | None = None) -> list[Operation]:
        """Operations whose name, title, aliases or path contain ``text``, in ``tag``."""
        results = self.operations
        if tag:
            wanted = tag.lower()
            results = [op for op in results if any(t.lower() == wanted for t in op.tags)]
        if text:
            needle = text.lower()
            results = [
                op
                for op in results
                if needle in op.name
                or needle in op.title.lower()
                or needle in op.path.lower()
                or needle in op.summary.lower()
                or any(needle in alias.lower() for alias in op.aliases)
            ]
        return list(results)

    def find_route(self, method: str, path: str) -> Operation | None:
        """The spec operation serving ``method path`` (e.g. for a raw request), if any."""
        if self._routes is None:
            routes = []
            for op in self.operations:
                if op.kind != "spec":
                    continue
                template = re.sub(r"\\{\w+\\}", "[^/]+", re.escape(op.path))
                literal = sum(1 for part in op.path.split("/") if part and "{" not in part)
                routes.append((-literal, op.method, re.compile(template + "/?"), op))
            routes.sort(key=lambda route: route[0])
            self._routes = [(m, p, op) for _, m, p, op in routes]
        method = method.upper()
        for route_method, pattern, op in self._routes:
            if route_method == method and pattern.fullmatch(path):
                return op
        return None

    @property
    def validator(self) -> InputValidator:
        """The input validator, whose compiled schemas every client of this catalog shares."""
        if self._validator is None:
            from intercom_connector.catalog.validation import InputValidator  # jsonschema: slow

            self._validator = InputValidator(lambda: self.definitions)
        return self._validator

    @property
    def tags(self) -> list[str]:
        return sorted({tag for op in self.operations for tag in op.tags})


def _load_json(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = packaged(name)
    return loaded


@cache
def load_catalog() -> Catalog:
    """The catalog shipped with the package (parsed once per process)."""
    return Catalog(_load_json("catalog.json"))
