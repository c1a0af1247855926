"""A starting workflow file from two answers: how it starts, and the first operation.

The text is written, not dumped, so that it reads like the examples: the schema comment
for editors first, the trigger, then one call step whose required inputs are filled with
sample values of the right type (or, in a webhook workflow, the notification's item id
where the field names the topic's object), each marked for the author to replace. The
result always passes ``workflow validate``; the tests hold it to that.
"""

from __future__ import annotations

import json
import re
from typing import Any

from intercom_connector.catalog.model import Operation
from intercom_connector.catalog.registry import Catalog
from intercom_connector.catalog.sample import SampleBuilder

TRIGGERS = ("manual", "webhook", "schedule")
DEFAULT_TOPIC = "contact.user.created"
DEFAULT_CRON = "0 2 * * *"
SCHEMA_COMMENT = "# yaml-language-server: $schema={schema}"


def _trigger_lines(trigger: str, topic: str | None, cron: str | None) -> list[str]:
    if trigger == "webhook":
        return ["trigger:", "  webhook:", f"    topics: [{topic or DEFAULT_TOPIC}]"]
    if trigger == "schedule":
        return [
            "trigger:",
            "  schedule:",
            f"    cron: {json.dumps(cron or DEFAULT_CRON)}",
            "    timezone: UTC",
        ]
    return ["trigger: manual"]


def _step_id(operation: Operation) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", operation.name.replace("_", "-")).strip("-")


def _input_value(field: str, value: Any, trigger: str, topic: str | None) -> str:
    item_kind = (topic or DEFAULT_TOPIC).split(".")[0]
    if trigger == "webhook" and field == f"{item_kind}_id":
        return "$.steps.trigger.data.item.id"
    return json.dumps(value)


def starter_text(
    catalog: Catalog,
    *,
    name: str,
    trigger: str,
    operation: str,
    topic: str | None = None,
    cron: str | None = None,
    schema: str = "workflow.schema.json",
) -> str:
    """The YAML text of a new workflow (UnknownOperation for an unknown ``operation``)."""
    if trigger not in TRIGGERS:
        raise ValueError(f"trigger is one of {', '.join(TRIGGERS)}, not {trigger!r}")
    op = catalog.get(operation)
    lines = [
        SCHEMA_COMMENT.format(schema=schema),
        f"name: {json.dumps(name)}",
        *_trigger_lines(trigger, topic, cron),
        "steps:",
        f"  - id: {_step_id(op)}",
        f"    call: {op.name}",
    ]
    inputs = SampleBuilder(catalog.definitions).input_for(op)
    if inputs:
        lines.append("    input:")
        for field, value in inputs.items():
            shown = _input_value(field, value, trigger, topic)
            lines.append(f"      {field}: {shown}" + ("" if shown.startswith("$.") else "  # TODO"))
    return "\n".join(lines) + "\n"
