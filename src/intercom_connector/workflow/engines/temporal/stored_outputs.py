"""Large call outputs kept out of workflow code: references, read only when a step reads them.

A 20,000-contact listing is about 12 MB of JSON. The payload codec already keeps it out of
Temporal's *history*, but the workflow itself would still decode it when the activity
returns, and encode it again for its result, its journal query and any continue-as-new,
all inside workflow tasks that Temporal aborts after two seconds ("potential deadlock").
Under load that budget is easily spent. So the activity keeps an output larger than the
payload threshold in the payload store itself (sealed, named by its sha256) and returns a
*marker* ``{"$stored": <sha256>, "bytes": N}``; the workflow holds it as a ``StoredOutput``,
a read-only mapping that fetches and decodes the output the first time a step looks inside
it (a loop over its ``data``, a condition on one of its fields). A step that only passes
it on, or a run that just returns it, never pays for it: every JSON text the workflow
writes (its result, journal pages, the carried journal) holds the marker, and the starter
(``expand``) swaps markers for the outputs when it mirrors the run into its local log.

Reading a stored output from workflow code is deterministic because the reference names
the content: a replay on any worker that shares the payload directory reads the same
bytes. The read goes through the worker's own codec (``register_reader``), on the worker's
event loop, while the workflow thread waits.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Callable, Coroutine, Iterator, Mapping
from typing import Any

STORED = "$stored"
"""The marker's key; the marker is ``{STORED: sha256, "bytes": size}`` and nothing else."""
_MARKER_TEXT = re.compile(r'\{\s*"\$stored"\s*:\s*"([0-9a-f]{64})"\s*,\s*"bytes"\s*:\s*\d+\s*\}')
READ_TIMEOUT = 120.0
"""Seconds a workflow task waits for one stored output (a shared directory gone away)."""

Fetch = Callable[[str], Coroutine[Any, Any, bytes]]
"""sha256 -> the output's JSON bytes, opened (the codec's ``fetch``)."""


class StoredOutputUnreadable(RuntimeError):
    """Workflow code met a stored output this process cannot read (no worker registered)."""


_readers: list[tuple[Fetch, asyncio.AbstractEventLoop]] = []
_readers_lock = threading.Lock()


def register_reader(fetch: Fetch, loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
    """Let workflow code of this process read stored outputs through ``fetch`` on ``loop``
    (a worker's); the function that unregisters it."""
    entry = (fetch, loop)
    with _readers_lock:
        _readers.append(entry)

    def unregister() -> None:
        with _readers_lock:
            if entry in _readers:
                _readers.remove(entry)

    return unregister


def _read(reference: str) -> Any:
    with _readers_lock:
        readers = [entry for entry in _readers if not entry[1].is_closed()]
    if not readers:
        raise StoredOutputUnreadable(
            f"stored output {reference} cannot be read here: no worker of this process "
            "registered its payload store"
        )
    failure: Exception | None = None
    for fetch, loop in reversed(readers):  # the newest worker first; any that has it will do
        try:
            content = asyncio.run_coroutine_threadsafe(fetch(reference), loop).result(READ_TIMEOUT)
        except Exception as error:  # another worker's store, or this one's is gone
            failure = error
            continue
        return json.loads(content)
    raise StoredOutputUnreadable(f"stored output {reference} cannot be read: {failure}")


class StoredOutput(Mapping[str, Any]):
    """A call's output that lives in the payload store until something reads it."""

    __slots__ = ("_value", "reference", "size")

    def __init__(self, reference: str, size: int) -> None:
        self.reference = reference
        self.size = size
        self._value: dict[str, Any] | None = None

    @property
    def value(self) -> dict[str, Any]:
        if self._value is None:
            self._value = _read(self.reference)
        return self._value

    def marker(self) -> dict[str, Any]:
        return {STORED: self.reference, "bytes": self.size}

    def __getitem__(self, key: str) -> Any:
        return self.value[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.value)

    def __len__(self) -> int:
        return len(self.value)

    def __repr__(self) -> str:
        return f"StoredOutput({self.reference[:12]}…, {self.size} bytes)"


def is_marker(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and len(value) == 2
        and isinstance(value.get(STORED), str)
        and len(value[STORED]) == 64
        and isinstance(value.get("bytes"), int)
    )


def from_marker(value: Any) -> Any:
    """A ``StoredOutput`` for a marker; anything else as it is."""
    return StoredOutput(value[STORED], value["bytes"]) if is_marker(value) else value


def _as_marker(value: Any) -> Any:
    if isinstance(value, StoredOutput):
        return value.marker()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> str:
    """JSON text of workflow data, with every stored output as its marker (never read)."""
    return json.dumps(value, default=_as_marker)


def loads(text: str) -> Any:
    """The inverse of ``dumps`` inside workflow code: markers become ``StoredOutput``s."""
    if STORED not in text:
        return json.loads(text)
    return json.loads(text, object_hook=from_marker)


def with_markers(value: Any) -> Any:
    """``value`` with stored outputs replaced by their markers (for an activity's input)."""
    if isinstance(value, StoredOutput):
        return value.marker()
    if isinstance(value, dict):
        return {key: with_markers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [with_markers(item) for item in value]
    return value


async def expand(text: str, fetch: Fetch) -> Any:
    """JSON text from a workflow with every marker replaced by the output it names."""
    if STORED not in text:
        return json.loads(text)
    references = set(_MARKER_TEXT.findall(text))
    contents = await asyncio.gather(*(fetch(reference) for reference in references))
    outputs = {ref: json.loads(content) for ref, content in zip(references, contents, strict=True)}

    def hook(value: dict[str, Any]) -> Any:
        if is_marker(value) and value[STORED] in outputs:
            return outputs[value[STORED]]
        return value

    return json.loads(text, object_hook=hook)


async def expand_value(value: Any, fetch: Fetch) -> Any:
    """``value`` (decoded already) with every marker replaced by the output it names."""
    if is_marker(value):
        return json.loads(await fetch(value[STORED]))
    if isinstance(value, dict):
        return {key: await expand_value(item, fetch) for key, item in value.items()}
    if isinstance(value, list):
        return [await expand_value(item, fetch) for item in value]
    return value


def holds_markers(value: Any) -> bool:
    if is_marker(value):
        return True
    if isinstance(value, dict):
        return any(holds_markers(item) for item in value.values())
    if isinstance(value, list):
        return any(holds_markers(item) for item in value)
    return False
