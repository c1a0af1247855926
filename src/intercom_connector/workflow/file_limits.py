"""Bounds on a workflow file, checked before the document is built.

A YAML alias bomb ("billion laughs") is a few hundred bytes that expand to billions of
values; `/dev/zero` never ends; a list nested a hundred thousand deep exhausts the parser's
recursion. Each is refused with a message naming the limit, in time linear in the file's
size: the file is read up to a byte limit, and the YAML event stream (which the parser yields
without recursing) is walked once, counting the expanded size of every anchor and the depth.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path as FilePath

import yaml

MAX_FILE_BYTES = 1_000_000
"""Workflow files are a few kilobytes; a megabyte leaves room for large inline data."""
MAX_DEPTH = 100
"""Nested mappings and lists; each level of nested steps uses two."""
MAX_VALUES = 200_000
"""Values in the document once every alias is expanded."""


@dataclass(frozen=True)
class LimitExceeded(Exception):
    """The file breaks one of the bounds above; ``line`` is where, when known."""

    message: str
    line: int | None = None


def read_bounded(path: FilePath) -> str:
    """The file's text, refusing it past ``MAX_FILE_BYTES`` or when it is not UTF-8.

    Raises OSError as ``open`` does, and LimitExceeded for size and encoding.
    """
    with path.open("rb") as handle:
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise LimitExceeded(f"is larger than the {MAX_FILE_BYTES:,}-byte limit for workflow files")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise LimitExceeded(
            f"is not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start}); "
            "a workflow is a YAML or JSON text file",
            line,
        ) from None


# libyaml's parser yields the same events several times faster; the check needs no resolver.
_EVENT_LOADER: type | None = getattr(yaml, "CSafeLoader", None)

_NODE_STARTS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_NODE_ENDS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def check_structure(text: str, loader: type[yaml.SafeLoader]) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH`` and more than ``MAX_VALUES`` expanded values.

    Syntax errors are left for the real load to report with its own wording. libyaml's
    events come first (several times faster); where libyaml gives up (it has a nesting
    limit of its own), the pure-Python parser's events are walked instead.
    """
    if len(text) > MAX_FILE_BYTES:
        raise LimitExceeded(f"is larger than the {MAX_FILE_BYTES:,}-byte limit for workflow files")
    for event_loader in (_EVENT_LOADER, loader):
        if event_loader is None:
            continue
        try:
            _walk_events(yaml.parse(text, Loader=event_loader))
        except (yaml.YAMLError, UnicodeEncodeError):  # libyaml takes no lone surrogates
            continue
        return


def _walk_events(events: Iterable[yaml.Event]) -> None:
    sizes: dict[str, int] = {}  # anchor -> values it expands to
    open_nodes: list[list] = []  # [anchor, values so far] per open collection
    for event in events:
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, _NODE_STARTS):
            open_nodes.append([event.anchor, 1])
            if len(open_nodes) > MAX_DEPTH:
                raise LimitExceeded(f"nests deeper than the limit of {MAX_DEPTH} levels", line)
            continue
        if isinstance(event, _NODE_ENDS):
            anchor, weight = open_nodes.pop()
            if anchor is not None:
                sizes[anchor] = weight
        elif isinstance(event, yaml.ScalarEvent):
            weight = 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if any(node[0] == event.anchor for node in open_nodes):
                raise LimitExceeded("a YAML alias refers to a node that contains it", line)
            weight = sizes.get(event.anchor or "", 1)
        else:
            continue
        if not open_nodes:
            continue
        open_nodes[-1][1] += weight
        if open_nodes[-1][1] > MAX_VALUES:
            raise LimitExceeded(
                f"expands (through YAML aliases) to more than {MAX_VALUES:,} values", line
            )
