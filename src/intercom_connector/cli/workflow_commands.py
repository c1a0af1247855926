"""`run`, `runs list|show|resume` and `workflow schema|validate`.

The lead mounts them: ``app.command("run")(run)``, ``app.add_typer(runs_app, name="runs")``,
``app.add_typer(workflow_app, name="workflow")``. ``run_workflow_file`` and ``show_run`` are
the same behaviour for Python callers (the demo).

Where requests go is decided as for `call`: ``--sandbox``, ``--auth``, ``--token`` /
``--base-url``; when none is given, the workflow's own ``authentication:``, and last
``$INTERCOM_TOKEN``. A resume reconnects the way the run started (the log keeps the
authentication's name, base URL and sandbox flag, never a token).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from intercom_connector.cli.call_commands import (
    AuthOption,
    BaseUrlOption,
    QuietOption,
    RegionOption,
    SandboxOption,
    VersionOption,
    key_value_pairs,
)
from intercom_connector.cli.connection import Connection, open_client
from intercom_connector.cli.errors import (
    EXIT_USAGE,
    UsageProblem,
    reported,
    stderr,
    write_stdout,
)
from intercom_connector.cli.new_workflow_commands import new_workflow
from intercom_connector.cli.output import (
    LISTING_FORMATS,
    TABLE_OR_JSON,
    OutputFormat,
    OutputOption,
    dumps,
    require_format,
    write_records,
)
from intercom_connector.cli.webhook_commands import read_event
from intercom_connector.errors import RunFailed
from intercom_connector.redaction import Redactor
from intercom_connector.workflow import (
    LoadedWorkflow,
    RunLog,
    RunResult,
    TerminalProgress,
    WorkflowInvalid,
    load_workflow,
    parse_config_value,
    render_run,
    resume_run,
    run_view,
    run_workflow,
)
from intercom_connector.workflow.loader import check_config
from intercom_connector.workflow.render import matches, summary_view
from intercom_connector.workflow.triggers.local_events import event_for_run, with_event

TokenFlag = Annotated[
    str | None,
    typer.Option(
        "--token",
        help="Access token for one-off use (else --auth, the workflow's authentication, "
        "or $INTERCOM_TOKEN). Prefer the env var: shell history keeps flags.",
        show_default=False,
    ),
]
JsonAlias = Annotated[bool, typer.Option("--json", hidden=True, help="The same as --output json.")]
ShowOption = Annotated[
    bool, typer.Option("--show", help="Print the run's debug view when it ends.")
]
EventOption = Annotated[
    Path | None,
    typer.Option(
        "--event",
        help="Run a webhook workflow once with this notification (JSON) as $.steps.trigger.",
        show_default=False,
    ),
]
NowOption = Annotated[
    bool, typer.Option("--now", help="Run a schedule workflow once, for its latest slot.")
]

workflow_app = typer.Typer(
    help="Check workflow files, export their JSON Schema, start new ones.", no_args_is_help=True
)
runs_app = typer.Typer(help="List, inspect and resume workflow runs.", no_args_is_help=True)


def _config_overrides(values: list[str] | None) -> dict[str, Any]:
    return {key: parse_config_value(value) for key, value in key_value_pairs(values, "--config")}


def _secrets(connection: Connection) -> list[str | None]:
    return [connection.token, *connection.secrets, os.environ.get("INTERCOM_TOKEN")]


def _progress(connection: Connection) -> TerminalProgress:
    redactor = Redactor(_secrets(connection))
    return TerminalProgress(Console(stderr=True, highlight=False), redactor=redactor)


async def _start(
    connection: Connection, loaded: LoadedWorkflow, config: dict[str, Any]
) -> RunResult:
    progress = _progress(connection)
    async with open_client(connection) as client:
        with progress:
            return await run_workflow(
                loaded,
                client,
                config=config,
                on_progress=None if connection.quiet else progress,
                connection=connection.record(),
                secrets=_secrets(connection),
            )


async def _resume(connection: Connection, run_id: str, force: bool, resend: list[str]) -> RunResult:
    progress = _progress(connection)
    async with open_client(connection) as client:
        with progress:
            return await resume_run(
                run_id,
                client,
                on_progress=None if connection.quiet else progress,
                secrets=_secrets(connection),
                force=force,
                resend=resend,
            )


def _report(result: RunResult, quiet: bool, show: bool) -> None:
    if show:
        with RunLog() as log:
            render_run(log, result.run_id, console=Console(highlight=False))
    write_stdout(result.run_id + "\n")
    if not result.succeeded:
        failed = RunFailed(f"{result.error}; see `intercom-connector runs show {result.run_id}`")
        failed.exit_code = result.exit_code
        raise failed
    if not quiet:
        stderr.out(f"run {result.run_id} succeeded in {result.duration:.2f}s", highlight=False)


def run(
    file: Annotated[Path, typer.Argument(help="Workflow file (YAML or JSON).")],
    config: Annotated[
        list[str] | None,
        typer.Option("--config", "-c", help="Override a config value: key=value (JSON or text)."),
    ] = None,
    auth: AuthOption = None,
    token: TokenFlag = None,
    region: RegionOption = None,
    base_url: BaseUrlOption = None,
    version: VersionOption = None,
    sandbox: SandboxOption = False,
    quiet: QuietOption = False,
    show: ShowOption = False,
    event: EventOption = None,
    now: NowOption = False,
    engine: Annotated[
        str, typer.Option(help="embedded (this process) or temporal (see docs/scale-out.md).")
    ] = "embedded",
    address: Annotated[
        str | None, typer.Option(help="With --engine temporal: the Temporal HOST:PORT.")
    ] = None,
    detach: Annotated[
        bool, typer.Option(help="With --engine temporal: print the run id and return.")
    ] = False,
) -> None:
    """Run a workflow. Prints the run id; progress goes to stderr. Exit 4 when a step fails.

    A webhook workflow runs once with --event FILE (a notification, see `webhook sample`);
    a schedule workflow once with --now. `serve` hosts them.
    """
    connection = Connection(token, region, base_url, version, sandbox, quiet, auth=auth)
    with reported(connection.redact):
        connection.keep_sandbox_state()
        loaded = load_workflow(file)
        overrides = _config_overrides(config)
        check_config(loaded, overrides)
        given = read_event(event) if event is not None else None
        found = event_for_run(loaded, event=given, now=time.time() if now else None)
        loaded = with_event(loaded, found)
        if engine == "temporal":
            from intercom_connector.cli.temporal_commands import run_on_temporal

            ran = run_on_temporal(
                loaded, overrides, auth=auth, address=address, detach=detach, quiet=quiet
            )
            if isinstance(ran, str):
                write_stdout(ran + "\n")
                return
            _report(ran, quiet, show)
            return
        if engine != "embedded":
            raise UsageProblem(f"--engine {engine!r}: use embedded or temporal")
        if not (sandbox or auth or token or base_url):
            connection.auth = loaded.workflow.authentication
        result = asyncio.run(_start(connection, loaded, overrides))
        _report(result, quiet, show)


def run_workflow_file(
    path: str | Path,
    *,
    sandbox: bool = False,
    auth: str | None = None,
    config: dict[str, Any] | None = None,
    quiet: bool = True,
    event: dict[str, Any] | None = None,
) -> str:
    """Run a workflow file (against the embedded sandbox with ``sandbox=True``); its run id.

    A failed run still returns its id: ``show_run`` tells what failed. A webhook or
    schedule workflow needs its ``event`` (TriggerRunRefused otherwise).
    """
    connection = Connection(sandbox=sandbox, quiet=quiet, auth=auth)
    loaded = load_workflow(path)
    loaded = with_event(loaded, event_for_run(loaded, event=event))
    if not (sandbox or auth):
        connection.auth = loaded.workflow.authentication
    return asyncio.run(_start(connection, loaded, dict(config or {}))).run_id


def show_run(
    run_id: str = "last", *, step: str | None = None, console: Console | None = None
) -> None:
    """Print a run's debug view (what `runs show` prints)."""
    with RunLog() as log:
        render_run(log, log.resolve_id(run_id), step=step, console=console)


@runs_app.command("list")
def list_runs(
    limit: Annotated[int, typer.Option(help="How many of the latest runs.")] = 20,
    output: OutputOption = None,
    as_json: JsonAlias = False,
) -> None:
    """The latest runs, newest first."""
    with reported(), RunLog() as log:
        output = require_format(output, OutputFormat.table, *LISTING_FORMATS)
        runs = log.runs(limit)
        if as_json or output is not OutputFormat.table:
            fmt = OutputFormat.json if as_json else output
            write_records([summary_view(summary) for summary in runs], fmt)
            return
        console = Console(highlight=False)
        if not runs:
            console.print("no runs yet: try `intercom-connector run examples/... --sandbox`")
        for summary in runs:
            duration = "" if summary.duration is None else f"{summary.duration:.2f}s"
            console.print(
                f"{summary.run_id}  {summary.status:<11} {duration:>9}  {summary.workflow}"
                + (f"  ({summary.error})" if summary.error else ""),
                markup=False,
            )


@runs_app.command("show")
def show(
    run_id: Annotated[str, typer.Argument(help="Run id, a unique prefix of it, or 'last'.")],
    step: Annotated[
        str | None,
        typer.Option(help="Only this step: an id, or a key like loop-1[3] (details in full)."),
    ] = None,
    output: OutputOption = None,
    as_json: JsonAlias = False,
    full: Annotated[bool, typer.Option(help="Do not shorten long inputs and outputs.")] = False,
    summary: Annotated[
        bool,
        typer.Option(help="A line per step, loop iterations folded, and the final result."),
    ] = False,
) -> None:
    """The debug view: each step execution's input, output or error, and timings."""
    with reported(), RunLog() as log:
        output = require_format(output, OutputFormat.table, *TABLE_OR_JSON)
        resolved = log.resolve_id(run_id)
        if step is not None:
            _check_step(log, resolved, step)
        if summary:
            from intercom_connector.cli.run_summary import summary_lines

            write_stdout("\n".join(summary_lines(log, resolved)) + "\n")
            return
        if as_json or output is OutputFormat.json:
            write_stdout(dumps(run_view(log, resolved, step)) + "\n")
            return
        render_run(log, resolved, step=step, full=full, console=Console(highlight=False))


def _check_step(log: RunLog, run_id: str, step: str) -> None:
    """``--step`` must select something: else a usage error listing the run's step ids."""
    records = log.steps(run_id)
    if not any(matches(record, step) for record in records):
        known = ", ".join(dict.fromkeys(record.step_id for record in records)) or "none yet"
        raise UsageProblem(f"run {run_id} has no step execution {step!r} (its steps: {known})")


@runs_app.command("resume")
def resume(
    run_id: Annotated[str, typer.Argument(help="Run id, a unique prefix of it, or 'last'.")],
    auth: AuthOption = None,
    token: TokenFlag = None,
    region: Annotated[
        str | None, typer.Option(help="us, eu or au (default: as the run started).")
    ] = None,
    base_url: BaseUrlOption = None,
    sandbox: SandboxOption = False,
    force: Annotated[
        bool, typer.Option(help="Resume even if the log says its process still runs.")
    ] = False,
    quiet: QuietOption = False,
    show: ShowOption = False,
    resend: Annotated[
        list[str] | None,
        typer.Option(
            help="Send again the write of this step key (one that could not be settled), "
            "after checking in Intercom that it was not applied.",
        ),
    ] = None,
) -> None:
    """Continue an interrupted or failed run; finished steps are not run again.

    It reconnects the way the run started unless told otherwise: ``--auth``, ``--sandbox`` or
    ``--base-url`` replace where the requests go; ``--token`` and ``--region`` adjust it.
    """
    with reported():
        with RunLog() as log:
            resolved = log.resolve_id(run_id)
            record = log.summary(resolved).start.get("connection") or {}
        if record.get("engine") == "temporal":
            from intercom_connector.cli.temporal_commands import resume_on_temporal

            _report(resume_on_temporal(resolved, record, quiet=quiet), quiet, show)
            return
        kept_state = None
        if not (auth or sandbox or base_url):
            auth, sandbox = record.get("auth"), bool(record.get("sandbox"))
            base_url = record.get("base_url")
            kept_state = record.get("sandbox_state")
        connection = Connection(
            token=token,
            region=region or record.get("region") or "us",
            base_url=base_url,
            version=record.get("version"),
            sandbox=sandbox,
            quiet=quiet,
            auth=auth,
            sandbox_state=kept_state,
        )
    with reported(connection.redact):
        result = asyncio.run(_resume(connection, resolved, force, list(resend or [])))
        _report(result, quiet, show)


@workflow_app.command("schema")
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """The JSON Schema of workflow files, with every operation's inputs, for editors.

    Point yaml-language-server at it with `# yaml-language-server: $schema=workflow.schema.json`
    as a file's first line: `call:` and `input:` fields then complete and are checked.
    """
    from intercom_connector.workflow.editor_schema import editor_json_schema

    text = json.dumps(editor_json_schema(), indent=2) + "\n"
    if output is None:
        write_stdout(text)
    else:
        output.write_text(text, encoding="utf-8")
        stderr.out(f"wrote {output}", highlight=False)


@workflow_app.command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(help="Workflow files to check.")],
) -> None:
    """Check workflow files without running them (exit 2 with every problem if invalid)."""
    problems: list[str] = []
    for file in files:
        try:
            loaded = load_workflow(file)
        except WorkflowInvalid as error:
            problems.append(str(error))
            continue
        steps = len(loaded.plan.sites)
        stderr.out(f"{file}: valid ({steps} steps)", highlight=False)
        for note in loaded.plan.notes:
            stderr.out(f"  note: {note}", highlight=False)
    if problems:
        stderr.out("\n".join(problems), highlight=False)
        raise typer.Exit(EXIT_USAGE)


workflow_app.command("new")(new_workflow)
