"""Loop items kept once: an iteration's start refers to the item in the output it came from.

A loop over ``$.steps.list-contacts.data`` walks records that the run log already holds in
``list-contacts``'s output. Copying each into its iteration's start event stored every
record twice. Instead, when the list is a plain path (keys only) into the output of a
top-level call step, the iteration's start event keeps ``{"index": i, "value_at": [step
key, key, ...]}`` and the readers of the log (``RunLog.steps``) put the item back, so
``runs show``, the debug panel and the JSON forms see ``{"index", "value"}`` as before.

Why it is exact: a top-level call step has one recorded finish that every iteration saw
(its output is what the interpreter walked, live or replayed from that very record, and
group commit writes events in order, so an iteration's start is never durable without it).
Any other list (config, a nested step, a loop's results, a filter or wildcard) is copied
as before.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from intercom_connector.workflow.references import ReferenceSyntaxError, parse_reference
from intercom_connector.workflow.shapes import segments

VALUE_AT = "value_at"


def recorded_list(items: Any, recorded_steps: Collection[str]) -> list[str] | None:
    """``[step key, key, ...]`` when ``items`` points into a recorded output, else None."""
    if not isinstance(items, str) or not items.startswith("$."):
        return None
    try:
        reference = parse_reference(items)
    except ReferenceSyntaxError:
        return None
    if reference.step_id is None or reference.step_id not in recorded_steps:
        return None
    found, plain = segments(reference.rest)
    if not plain or any(kind != "key" for kind, _ in found):
        return None
    return [reference.step_id, *(str(name) for _, name in found)]


def iteration_start(index: int, value: Any, source: list[str] | None) -> dict[str, Any]:
    """What an iteration's start event records."""
    if source is None:
        return {"index": index, "value": value}
    return {"index": index, VALUE_AT: source}


def restore_items(records: Mapping[str, Any]) -> None:
    """Put each referred item back into its iteration's input (``StepRecord``s by key).

    A reference that does not lead to an item (which a log written by this module never
    holds) is left as it is, so a display shows it rather than failing.
    """
    for record in records.values():
        data = record.input
        if record.kind != "iteration" or not isinstance(data, dict) or VALUE_AT not in data:
            continue
        found, value = _item(records, data[VALUE_AT], data.get("index"))
        if found:
            record.input = {"index": data["index"], "value": value}


def _item(records: Mapping[str, Any], where: Any, index: Any) -> tuple[bool, Any]:
    if not isinstance(where, list) or not where or not isinstance(index, int):
        return False, None
    source = records.get(where[0])
    if source is None or source.status != "finished":
        return False, None
    value = source.output
    for key in where[1:]:
        if not isinstance(value, dict) or key not in value:
            return False, None
        value = value[key]
    if not isinstance(value, list) or not 0 <= index < len(value):
        return False, None
    return True, value[index]
