"""`workflow new FILE`: a starting workflow from a question or two, or from flags.

Asked on a terminal when a flag is missing (how the workflow starts, its first operation);
without a terminal the defaults are used, so scripts and tests need no input. The editor
schema is written beside the file when it is not there yet, so completion works at once.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from intercom_connector.catalog.registry import load_catalog
from intercom_connector.cli.errors import fail, reported, stderr
from intercom_connector.workflow.editor_schema import editor_json_schema
from intercom_connector.workflow.starter import TRIGGERS, starter_text

SCHEMA_FILE = "workflow.schema.json"


def _interactive() -> bool:
    return sys.stdin.isatty()


def _ask(value: str | None, question: str, default: str) -> str:
    if value is not None:
        return value
    if not _interactive():
        return default
    answer: str = typer.prompt(question, default=default)
    return answer


def new_workflow(
    file: Annotated[Path, typer.Argument(help="Where to write the new workflow (YAML).")],
    trigger: Annotated[
        str | None, typer.Option(help="How it starts: manual, webhook or schedule.")
    ] = None,
    call: Annotated[
        str | None, typer.Option("--call", help="The first operation (any of its names).")
    ] = None,
    topic: Annotated[str | None, typer.Option(help="Webhook topic.")] = None,
    cron: Annotated[str | None, typer.Option(help="Schedule, as a cron expression.")] = None,
    name: Annotated[str | None, typer.Option(help="The workflow's name.")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite FILE if it exists.")] = False,
) -> None:
    """Write a starting workflow file, with the editor schema comment in place."""
    if file.exists() and not force:
        fail(f"{file} exists; pass --force to overwrite it")
    chosen = _ask(trigger, f"How does it start ({', '.join(TRIGGERS)})?", "manual")
    if chosen not in TRIGGERS:
        fail(f"--trigger is one of {', '.join(TRIGGERS)}, not {chosen!r}")
    if chosen == "webhook":
        topic = _ask(topic, "Which notification topic?", "contact.user.created")
    operation = _ask(call, "First operation?", "identify_admin")
    with reported():
        text = starter_text(
            load_catalog(),
            name=name or file.stem.replace("-", " ").replace("_", " ").capitalize(),
            trigger=chosen,
            operation=operation,
            topic=topic,
            cron=cron,
            schema=SCHEMA_FILE,
        )
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    stderr.out(f"wrote {file}; check it with `intercom-connector workflow validate {file}`")
    schema = file.parent / SCHEMA_FILE
    if not schema.exists():
        schema.write_text(json.dumps(editor_json_schema(), indent=2) + "\n", encoding="utf-8")
        stderr.out(f"wrote {schema} (editors complete operations and inputs from it)")
