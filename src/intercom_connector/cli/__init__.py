"""The `intercom-connector` command: a thin shell over the layers below."""

from __future__ import annotations

import typer

from intercom_connector.cli.auth_commands import auth_app
from intercom_connector.cli.call_commands import call, raw
from intercom_connector.cli.ops_commands import ops_app
from intercom_connector.cli.sandbox_commands import sandbox_app
from intercom_connector.cli.serve_commands import serve
from intercom_connector.cli.temporal_commands import temporal_app
from intercom_connector.cli.workflow_commands import run, runs_app, workflow_app

app = typer.Typer(
    name="intercom-connector",
    help="Every Intercom operation by name, workflows over them, and a local Intercom sandbox.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(ops_app, name="ops")
app.command("call")(call)
app.command("raw")(raw)
app.command("run")(run)
app.command("serve")(serve)
app.add_typer(runs_app, name="runs", help="List, show and resume workflow runs.")
app.add_typer(workflow_app, name="workflow", help="Validate workflow files; export their schema.")
app.add_typer(auth_app, name="auth", help="Manage stored authentications.")
app.add_typer(sandbox_app, name="sandbox", help="Run the local Intercom sandbox.")
app.add_typer(temporal_app, name="temporal", help="Run workflows on Temporal.")


def main() -> None:
    app()
