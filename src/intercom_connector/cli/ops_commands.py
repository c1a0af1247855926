"""`ops list` and `ops show`: browse the catalog."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from intercom_connector.catalog.model import Operation
from intercom_connector.catalog.outputs import load_outputs, output_rows
from intercom_connector.catalog.registry import load_catalog
from intercom_connector.cli.errors import reported
from intercom_connector.cli.output import (
    LISTING_FORMATS,
    TABLE_OR_JSON,
    ColumnsOption,
    OutputFormat,
    OutputOption,
    column_list,
    require_format,
    write_records,
)

ops_app = typer.Typer(help="Browse the operations the connector can run.", no_args_is_help=True)


def _summary(op: Operation) -> dict:
    return {
        "name": op.name,
        "title": op.title,
        "method": op.method,
        "path": op.path,
        "tags": list(op.tags),
        "pagination": op.pagination_style,
        "scope": op.scope,
        "retry_safe": op.retry_safe,
        "kind": op.kind,
        "operation_id": op.operation_id,
        "aliases": list(op.aliases),
    }


@ops_app.command("list")
def list_operations(
    tag: Annotated[str | None, typer.Option(help="Only operations with this tag.")] = None,
    search: Annotated[
        str | None, typer.Option(help="Only operations whose name, title or path has TEXT.")
    ] = None,
    output: OutputOption = None,
    columns: ColumnsOption = None,
) -> None:
    """List operations (all 231 of the spec, plus variants and composites)."""
    with reported():
        output = require_format(output, OutputFormat.table, *LISTING_FORMATS)
    catalog = load_catalog()
    found = catalog.search(text=search, tag=tag)
    if output is not OutputFormat.table:
        write_records([_summary(op) for op in found], output, column_list(columns))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(found)} operations (Intercom API {catalog.spec_version})")
    for column in ("name", "method", "path", "pages", "scope"):
        table.add_column(column, overflow="fold")
    for op in found:
        table.add_row(op.name, op.method, op.path, op.pagination_style, op.scope or "-")
    Console().print(table)


@ops_app.command("show")
def show_operation(
    name: Annotated[str, typer.Argument(help="Operation name, operationId or display name.")],
    output: OutputOption = None,
) -> None:
    """Describe one operation: how it is called and every input field."""
    with reported():
        output = require_format(output, OutputFormat.table, *TABLE_OR_JSON)
        op = load_catalog().get(name)
    if output is OutputFormat.json:
        data = {
            **_summary(op),
            "input_schema": op.input_schema,
            "list_key": op.list_key,
            "output_schema": load_outputs().reply(op.name),
        }
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{op.name}[/]  {op.title}")
    console.print(f"{op.method} {op.path}")
    details = [
        f"tags: {', '.join(op.tags)}",
        f"pagination: {op.pagination_style}",
        f"records in: {op.list_key or '-'}",
        f"scope: {op.scope or '-'}",
        f"retried on failure: {'yes' if op.retry_safe else 'no (not idempotent)'}",
    ]
    if op.operation_id:
        details.append(f"operationId: {op.operation_id}")
    if op.aliases:
        details.append(f"also called: {', '.join(op.aliases)}")
    if op.fixed:
        details.append(f"sets: {', '.join(f'{k}={v}' for k, v in op.fixed.items())}")
    for line in details:
        console.print("  " + line, highlight=False)
    table = Table(title="input fields")
    for column in ("field", "in", "type", "required", "allowed"):
        table.add_column(column, overflow="fold")
    for field in op.fields:
        enum = field.schema.get("enum")
        allowed = ", ".join(str(v) for v in enum if v is not None) if enum else ""
        table.add_row(
            field.name,
            field.location,
            field.type_label,
            "yes" if field.required else "",
            allowed,
        )
    if op.fields:
        console.print(table)
    else:
        console.print("  (no input fields)")
    outputs = Table(title="output fields")
    for column in ("field", "type", "allowed"):
        outputs.add_column(column, overflow="fold")
    rows = output_rows(load_outputs(), op.name)
    for path, label, allowed in rows:
        outputs.add_row(path, label, allowed)
    if rows:
        console.print(outputs)
    else:
        console.print("  (the reply is not described: no JSON body, or an open one)")
