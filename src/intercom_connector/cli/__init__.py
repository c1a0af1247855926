"""The `intercom-connector` command: a thin shell over the layers below.

Start-up is a feature: this module imports typer and nothing of the connector's layers. Each
command's module is imported when that command runs (see ``lazy_commands``), so ``--help``
and ``ops list`` do not pay for the sandbox, the workflow checker or the trigger server.
"""

from __future__ import annotations

import gc
from typing import Annotated

import typer

from intercom_connector.cli.lazy_commands import LazyCommand, lazy_group

# Every command of the root, in the order `--help` lists them. To add one, add one line:
#     "name": LazyCommand("intercom_connector.cli.<module>:<typer app or function>", "help"),
# A typer.Typer becomes a command group, a function a single command; its module is imported
# only when the command runs.
COMMANDS: dict[str, LazyCommand] = {
    "call": LazyCommand(
        "intercom_connector.cli.call_commands:call",
        "Run one operation. Records go to stdout; progress and errors to stderr.",
    ),
    "raw": LazyCommand(
        "intercom_connector.cli.call_commands:raw",
        "Raw HTTP request: any method and endpoint, with the connection's base URL and token.",
    ),
    "run": LazyCommand(
        "intercom_connector.cli.workflow_commands:run",
        "Run a workflow. Prints the run id; progress goes to stderr. Exit 4 when a step fails.",
    ),
    "serve": LazyCommand(
        "intercom_connector.cli.serve_commands:serve",
        "Host webhook and schedule workflows: one run per matching notification or slot.",
    ),
    "ops": LazyCommand(
        "intercom_connector.cli.ops_commands:ops_app",
        "Browse the operations the connector can run.",
    ),
    "runs": LazyCommand(
        "intercom_connector.cli.workflow_commands:runs_app",
        "List, show and resume workflow runs.",
    ),
    "workflow": LazyCommand(
        "intercom_connector.cli.workflow_commands:workflow_app",
        "Validate workflow files, export their schema, start new ones.",
    ),
    "auth": LazyCommand(
        "intercom_connector.cli.auth_commands:auth_app", "Manage stored authentications."
    ),
    "sandbox": LazyCommand(
        "intercom_connector.cli.sandbox_commands:sandbox_app", "Run the local Intercom sandbox."
    ),
    "ui": LazyCommand(
        "intercom_connector.cli.ui_commands:ui",
        "Serve the debug panel: runs, step data, JSONPaths, try-it (127.0.0.1, token).",
    ),
    "webhook": LazyCommand(
        "intercom_connector.cli.webhook_commands:webhook_app",
        "Sample notifications to try webhook workflows.",
    ),
    "temporal": LazyCommand(
        "intercom_connector.cli.temporal_commands:temporal_app",
        "Run workflows on Temporal: a local dev server, workers, mirroring runs.",
    ),
}

app = typer.Typer(
    name="intercom-connector",
    help="Every Intercom operation by name, workflows over them, and a local Intercom sandbox.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=lazy_group(COMMANDS),
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"intercom-connector {version('intercom-connector')}")
        raise typer.Exit()


@app.callback()
def root(
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            expose_value=False,
            callback=_print_version,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Every Intercom operation by name, workflows over them, and a local Intercom sandbox."""
    # The command's module is loaded; what runs now may make garbage. What the imports made
    # lives as long as the process: frozen first, it is not walked by the collector's first
    # pass, which would otherwise take every object made while it was off (about 10 ms).
    gc.freeze()
    gc.enable()
    from intercom_connector.cli.errors import reported
    from intercom_connector.cli.settings import file_settings

    with reported():
        file_settings()  # a broken config.toml is one usage error, before any command parses


def main() -> None:
    # Start-up only imports: it makes objects that live as long as the process and no garbage,
    # so the collector would only walk them again and again. ``root`` turns it back on.
    gc.disable()
    try:
        app()
    finally:
        # Whatever is alive now dies with the process. Frozen, it is left out of the
        # interpreter's last collection, which would otherwise walk every object of every
        # loaded module again (about 40 ms of a short command; docs/benchmarks.md).
        gc.freeze()


__all__ = ["COMMANDS", "app", "main"]
