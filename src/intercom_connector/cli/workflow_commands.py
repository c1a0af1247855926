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
    EXIT_RUN_FAILED,
    EXIT_USAGE,
    register,
    reported,
    stderr,
    write_stdout,
)
from intercom_connector.cli.output import dumps
from intercom_connector.workflow import (
    ConfigProblem,
    LoadedWorkflow,
    ResumeRefused,
    RunLog,
    RunNotFound,
    RunResult,
    TerminalProgress,
    WorkflowInvalid,
    load_workflow,
    parse_config_value,
    render_run,
    resume_run,
    run_view,
    run_workflow,
    workflow_json_schema,
)
from intercom_connector.workflow.render import summary_view


class RunFailed(Exception):
    """A workflow run ended failed; the message names the step and its loop path."""


register(WorkflowInvalid, EXIT_USAGE, "invalid workflow")
register(ConfigProblem, EXIT_USAGE, "config")
register(ResumeRefused, EXIT_USAGE, "resume")
register(RunNotFound, EXIT_USAGE, "unknown run")
register(RunFailed, EXIT_RUN_FAILED, "run failed")

TokenFlag = Annotated[
    str | None,
    typer.Option(
        "--token",
        help="Access token for one-off use (else --auth, the workflow's authentication, "
        "or $INTERCOM_TOKEN). Prefer the env var: shell history keeps flags.",
        show_default=False,
    ),
]
ShowOption = Annotated[
    bool, typer.Option("--show", help="Print the run's debug view when it ends.")
]

workflow_app = typer.Typer(
    help="Check workflow files and export their JSON Schema.", no_args_is_help=True
)
runs_app = typer.Typer(help="List, inspect and resume workflow runs.", no_args_is_help=True)


def _config_overrides(values: list[str] | None) -> dict[str, Any]:
    return {key: parse_config_value(value) for key, value in key_value_pairs(values, "--config")}


def _secrets(connection: Connection) -> list[str | None]:
    return [connection.token, *connection.secrets, os.environ.get("INTERCOM_TOKEN")]


async def _start(
    connection: Connection, loaded: LoadedWorkflow, config: dict[str, Any]
) -> RunResult:
    progress = TerminalProgress(Console(stderr=True, highlight=False))
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


async def _resume(connection: Connection, run_id: str, force: bool) -> RunResult:
    progress = TerminalProgress(Console(stderr=True, highlight=False))
    async with open_client(connection) as client:
        with progress:
            return await resume_run(
                run_id,
                client,
                on_progress=None if connection.quiet else progress,
                secrets=_secrets(connection),
                force=force,
            )


def _report(result: RunResult, quiet: bool, show: bool) -> None:
    if show:
        with RunLog() as log:
            render_run(log, result.run_id, console=Console(highlight=False))
    write_stdout(result.run_id + "\n")
    if not result.succeeded:
        raise RunFailed(f"{result.error}; see `intercom-connector runs show {result.run_id}`")
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
    region: RegionOption = "us",
    base_url: BaseUrlOption = None,
    version: VersionOption = None,
    sandbox: SandboxOption = False,
    quiet: QuietOption = False,
    show: ShowOption = False,
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
    """Run a workflow. Prints the run id; progress goes to stderr. Exit 4 when a step fails."""
    connection = Connection(token, region, base_url, version, sandbox, quiet, auth=auth)
    with reported(connection.redact):
        loaded = load_workflow(file)
        overrides = _config_overrides(config)
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
            raise ConfigProblem(f"--engine {engine!r}: use embedded or temporal")
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
) -> str:
    """Run a workflow file (against the embedded sandbox with ``sandbox=True``); its run id.

    A failed run still returns its id: ``show_run`` tells what failed.
    """
    connection = Connection(sandbox=sandbox, quiet=quiet, auth=auth)
    loaded = load_workflow(path)
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
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """The latest runs, newest first."""
    with reported(), RunLog() as log:
        runs = log.runs(limit)
        if as_json:
            write_stdout(dumps([summary_view(summary) for summary in runs]) + "\n")
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
    as_json: Annotated[bool, typer.Option("--json", help="The debug view as JSON.")] = False,
    full: Annotated[bool, typer.Option(help="Do not shorten long inputs and outputs.")] = False,
) -> None:
    """The debug view: each step execution's input, output or error, and timings."""
    with reported(), RunLog() as log:
        resolved = log.resolve_id(run_id)
        if as_json:
            write_stdout(dumps(run_view(log, resolved, step)) + "\n")
            return
        render_run(log, resolved, step=step, full=full, console=Console(highlight=False))


@runs_app.command("resume")
def resume(
    run_id: Annotated[str, typer.Argument(help="Run id, a unique prefix of it, or 'last'.")],
    token: TokenFlag = None,
    force: Annotated[
        bool, typer.Option(help="Resume even if the log says its process still runs.")
    ] = False,
    quiet: QuietOption = False,
    show: ShowOption = False,
) -> None:
    """Continue an interrupted or failed run; finished steps are not run again."""
    with reported():
        with RunLog() as log:
            resolved = log.resolve_id(run_id)
            record = log.summary(resolved).start.get("connection") or {}
        if record.get("engine") == "temporal":
            from intercom_connector.cli.temporal_commands import resume_on_temporal

            _report(resume_on_temporal(resolved, record, quiet=quiet), quiet, show)
            return
        connection = Connection(
            token=token,
            region=record.get("region") or "us",
            base_url=record.get("base_url"),
            version=record.get("version"),
            sandbox=bool(record.get("sandbox")),
            quiet=quiet,
            auth=record.get("auth"),
        )
    with reported(connection.redact):
        result = asyncio.run(_resume(connection, resolved, force))
        _report(result, quiet, show)


@workflow_app.command("schema")
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """The JSON Schema of workflow files, for editor completion (yaml-language-server)."""
    text = json.dumps(workflow_json_schema(), indent=2) + "\n"
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
    if problems:
        stderr.out("\n".join(problems), highlight=False)
        raise typer.Exit(EXIT_USAGE)
