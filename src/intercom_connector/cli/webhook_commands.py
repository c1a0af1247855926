"""`webhook sample TOPIC`, and reading `run --event FILE`: trying webhook workflows locally.

`webhook sample conversation.admin.closed > event.json` prints a notification shaped like
Intercom's whose item is a real object of the embedded sandbox; `run FILE --sandbox --event
event.json` then runs the workflow once on it, against a sandbox seeded the same way.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from intercom_connector.catalog.registry import load_catalog
from intercom_connector.cli.connection import Connection, open_client
from intercom_connector.cli.errors import reported, stderr, write_stdout
from intercom_connector.workflow.triggers.local_events import TriggerRunRefused
from intercom_connector.workflow.triggers.samples import sample_notification

webhook_app = typer.Typer(
    help="Try webhook workflows locally: sample notifications.", no_args_is_help=True
)


def read_event(path: Path) -> Any:
    """The JSON of `--event FILE` (TriggerRunRefused when it cannot be read)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TriggerRunRefused(f"--event {path}: cannot read the file: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TriggerRunRefused(f"--event {path}: not JSON: {error}") from None


async def _sample(topic: str) -> dict[str, Any]:
    async with open_client(Connection(sandbox=True, quiet=True)) as client:
        return await sample_notification(client, load_catalog(), topic, now=int(time.time()))


@webhook_app.command("sample")
def sample(
    topic: Annotated[str, typer.Argument(help="A notification topic: conversation.admin.closed")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print a realistic notification for TOPIC (its item from the embedded sandbox)."""
    with reported():
        notification = asyncio.run(_sample(topic))
    text = json.dumps(notification, indent=2) + "\n"
    if output is None:
        write_stdout(text)
    else:
        output.write_text(text, encoding="utf-8")
        stderr.out(f"wrote {output}", highlight=False)
