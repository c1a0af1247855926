"""Turn exceptions into one clear message and an exit code scripts can rely on.

Exit codes:
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
from typing import NoReturn

import typer
from rich.console import Console

from intercom_connector.catalog.composite import ForeignHost
from intercom_connector.catalog.registry import UnknownOperation
from intercom_connector.catalog.scopes import MissingScope
from intercom_connector.catalog.validation import InvalidInput
from intercom_connector.errors import ConnectorError
from intercom_connector.http import AuthenticationError, IntercomError, PermissionDenied

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_RUN_FAILED = 4
EXIT_INTERRUPTED = 130

stderr = Console(stderr=True, highlight=False, soft_wrap=True)


class UsageProblem(Exception):
    """A user mistake the CLI detected itself (bad flag value, unreadable file)."""


class AuthProblem(Exception):
    """No usable credentials were given."""


# Exception class -> (exit code, label). Order matters: the first match wins.
_EXIT_CODES: list[tuple[type[BaseException], int, str]] = [
    (MissingScope, EXIT_AUTH, "missing scope"),
    (AuthProblem, EXIT_AUTH, "authentication"),
    (AuthenticationError, EXIT_AUTH, "authentication"),
    (PermissionDenied, EXIT_AUTH, "permission denied"),
    (UnknownOperation, EXIT_USAGE, "unknown operation"),
    (InvalidInput, EXIT_USAGE, "invalid input"),
    (UsageProblem, EXIT_USAGE, "usage"),
    (ForeignHost, EXIT_USAGE, "usage"),
    (IntercomError, EXIT_FAILED, "intercom error"),
]

_extra: list[tuple[type[BaseException], int, str]] = []


def register(kind: type[BaseException], code: int, label: str) -> None:
    """Let higher layers (auth, workflow) map their own exceptions without a import cycle."""
    _extra.append((kind, code, label))


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    stderr.out(f"error: {message}", highlight=False)
    raise typer.Exit(code)


def _classify(error: BaseException) -> tuple[int, str] | None:
    for kind, code, label in [*_extra, *_EXIT_CODES]:
        if isinstance(error, kind):
            return code, label
    if isinstance(error, ConnectorError):
        return error.exit_code, error.label
    return None


@contextmanager
def reported(redact: Callable[[str], str] = lambda text: text) -> Iterator[None]:
    """Report known errors as one line on stderr and exit with their code; no traceback."""
    try:
        yield
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        stderr.print("interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as error:
        found = _classify(error)
        if found is None:
            raise
        code, label = found
        message = redact(str(error))
        stderr.out(f"error ({label}): {message}", highlight=False)
        raise typer.Exit(code) from None


def write_stdout(text: str) -> None:
    sys.stdout.write(text)
