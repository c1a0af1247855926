"""The workflow commands as a program, for tests that run (and kill) a real process."""

from workflow_kit import cli_app

if __name__ == "__main__":
    cli_app()()
