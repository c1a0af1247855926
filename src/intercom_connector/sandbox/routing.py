"""Match a request path against the catalog's path templates.

A segment trie built once: at every level a literal segment is tried before a template
variable, so ``/contacts/search`` beats ``/contacts/{contact_id}`` whatever order the catalog
lists them in. Matching backtracks into the variable branch when the literal branch has no
operation for the request method, as a server routing ``GET /contacts/search`` to "get the
contact with id search" would. A path that matches only with other methods is a 405.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, NamedTuple, TypeVar
from urllib.parse import unquote

T = TypeVar("T")


class _Node(Generic[T]):
    """One path segment of the trie: literal children, the variable child, and methods here.

    A plain class: every sandbox start defines it, and a dataclass would add nothing used.
    """

    __slots__ = ("literals", "methods", "variable")

    def __init__(self) -> None:
        self.literals: dict[str, _Node[T]] = {}
        self.variable: _Node[T] | None = None
        # method -> (target, names of the template variables along the way)
        self.methods: dict[str, tuple[T, tuple[str, ...]]] = {}


class Match(NamedTuple, Generic[T]):
    """The target of a matched request and the values of its path template variables."""

    target: T
    params: dict[str, str]


class MethodNotAllowed(Exception):
    def __init__(self, allowed: Iterable[str]) -> None:
        self.allowed = sorted(set(allowed))
        super().__init__(", ".join(self.allowed))


def _segments(path: str) -> list[str]:
    return [seg for seg in path.strip("/").split("/")] if path.strip("/") else []


class Router(Generic[T]):
    def __init__(self) -> None:
        self._root: _Node[T] = _Node()
        # Fast path for the many templates without variables (GET /contacts, POST /events...).
        self._static: dict[tuple[str, str], T] = {}

    def add(self, method: str, template: str, target: T) -> None:
        node = self._root
        names: list[str] = []
        for seg in _segments(template):
            if seg.startswith("{") and seg.endswith("}"):
                names.append(seg[1:-1])
                if node.variable is None:
                    node.variable = _Node()
                node = node.variable
            else:
                node = node.literals.setdefault(seg, _Node())
        node.methods[method.upper()] = (target, tuple(names))
        if not names:
            self._static[(method.upper(), "/" + template.strip("/"))] = target

    def match(self, method: str, path: str) -> Match[T] | None:
        """The operation for ``method path``; ``None`` for an unknown path.

        Raises ``MethodNotAllowed`` when the path exists only for other methods.
        """
        method = method.upper()
        normalized = "/" + path.strip("/")
        static = self._static.get((method, normalized))
        if static is not None:
            return Match(static, {})
        segments = [unquote(seg) for seg in _segments(path)]
        allowed: set[str] = set()
        found = self._walk(self._root, segments, 0, [], method, allowed)
        if found is not None:
            return found
        if allowed:
            raise MethodNotAllowed(allowed)
        return None

    def _walk(
        self,
        node: _Node[T],
        segments: list[str],
        index: int,
        values: list[str],
        method: str,
        allowed: set[str],
    ) -> Match[T] | None:
        if index == len(segments):
            entry = node.methods.get(method)
            if entry is not None:
                target, names = entry
                return Match(target, dict(zip(names, values, strict=True)))
            allowed.update(node.methods)
            return None
        seg = segments[index]
        child = node.literals.get(seg)
        if child is not None:
            found = self._walk(child, segments, index + 1, values, method, allowed)
            if found is not None:
                return found
        if node.variable is not None and seg:
            values.append(seg)
            found = self._walk(node.variable, segments, index + 1, values, method, allowed)
            values.pop()
            if found is not None:
                return found
        return None
