"""Light package faces: a package's public names are imported when first used, not at import.

A package ``__init__`` lists its public names once, as ordinary imports inside an
``if TYPE_CHECKING:`` block (so type checkers and readers see exactly where each comes from),
pins them in ``__all__``, and ends with::

    __getattr__, __dir__ = attach(__name__, __file__)

At run time the block is skipped; the first lookup of a missing name reads that block (one
read of the ``__init__``'s own source) and imports only the module that defines the name.
So ``import intercom_connector.http.errors`` does not load the HTTP client, and
``import intercom_connector`` loads neither httpx, the sandbox nor pydantic models.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable
from typing import Any

_IMPORT_FROM = re.compile(r"^from\s+(\.*[\w.]*)\s+import\s+(\([^)]*\)|[^\n]*)", re.MULTILINE)


def _typing_imports(source: str) -> dict[str, tuple[str, str]]:
    """Public name -> (module, attribute), from the ``if TYPE_CHECKING:`` block of a face.

    Read as text, not parsed with ``ast`` (parsing the faces took about a millisecond of
    every short command): the block holds only ``from X import a, b as c`` statements, one per
    line or parenthesised over several, as the formatter writes them; a test checks every
    face against ``ast``.
    """
    found: dict[str, tuple[str, str]] = {}
    lines = source.splitlines()
    for start, line in enumerate(lines):
        if line.rstrip() != "if TYPE_CHECKING:":
            continue
        block: list[str] = []
        for inner in lines[start + 1 :]:
            if inner.strip() and not inner.startswith((" ", "\t")):
                break
            block.append(inner.strip().split("#", 1)[0])
        for module, names in _IMPORT_FROM.findall("\n".join(block)):
            for item in names.strip("()").split(","):
                name, _, alias = item.strip().partition(" as ")
                if name:
                    found[alias.strip() or name] = (module, name.strip())
    return found


def attach(package: str, init_file: str) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of a light package face."""
    table: dict[str, tuple[str, str]] = {}

    def exports() -> dict[str, tuple[str, str]]:
        if not table:
            with open(init_file, encoding="utf-8") as source:
                table.update(_typing_imports(source.read()))
        return table

    def __getattr__(name: str) -> Any:
        where = exports().get(name)
        if where is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attribute = where
        value = getattr(importlib.import_module(module, package), attribute)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *exports()})

    return __getattr__, __dir__


__all__ = ["attach"]
