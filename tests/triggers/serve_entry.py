"""The serve command as a program, for tests that run (and kill) a real process."""

import typer

from intercom_connector.cli.serve_commands import serve

if __name__ == "__main__":
    app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
    app.command("serve")(serve)

    @app.command("version")
    def version() -> None:
        """A second command, so that `serve` stays a subcommand."""

    app()
