"""Turn exceptions into one clear message and an exit code scripts can rely on.

Every error the connector raises on purpose is a ``ConnectorError`` (``intercom_connector.
errors``) and carries its ``exit_code`` and a short ``label``; this module only prints them.
Exit codes (README's table):

  0  success
  1  the operation failed at Intercom or on the way there (server error, network, 4xx reply)
  2  bad usage or input: unknown operation, invalid input, unreadable file or JSON
  3  authentication: no token, token refused (401), or a permission scope missing
  4  a workflow run failed (a step raised); the run log has the details
  130 interrupted (Ctrl-C)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from intercom_connector.errors import (
    EXIT_AUTH,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_RUN_FAILED,
    EXIT_USAGE,
    AuthError,
    ConnectorError,
    UsageError,
)

if TYPE_CHECKING:
    from rich.console import Console

    stderr: Console


class UsageProblem(UsageError):
    """A user mistake the CLI detected itself (bad flag value, unreadable file)."""


class AuthProblem(AuthError):
    """No usable credentials were given."""


def __getattr__(name: str) -> Any:
    """``stderr``, the rich console of messages, made on first use (rich is slow to import)."""
    if name != "stderr":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from rich.console import Console

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    globals()["stderr"] = console
    return console


def say(message: str) -> None:
    """One line on stderr, as it is (no markup, no highlighting)."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    say(f"error: {message}")
    raise typer.Exit(code)


@contextmanager
def reported(redact: Callable[[str], str] = lambda text: text) -> Iterator[None]:
    """Report connector errors as one line on stderr and exit with their code; no traceback."""
    try:
        yield
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        say("interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except ConnectorError as error:
        say(f"error ({error.label}): {redact(str(error))}")
        raise typer.Exit(error.exit_code) from None


def write_stdout(text: str) -> None:
    sys.stdout.write(text)


__all__ = [
    "EXIT_AUTH",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_RUN_FAILED",
    "EXIT_USAGE",
    "AuthProblem",
    "UsageProblem",
    "fail",
    "reported",
    "say",
    "stderr",
    "write_stdout",
]
