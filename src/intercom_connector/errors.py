"""The root of every error the connector raises on purpose, and the exit code it carries.

A caller decides what to do next from the class: a ``UsageError`` is the user's to fix (bad
input, unknown operation, unreadable file), an ``AuthError`` needs credentials, an
``OperationFailed`` happened at Intercom or on the way there, a ``RunFailed`` is a workflow
step that failed. The CLI turns any ``ConnectorError`` into one line on stderr and its
``exit_code``; nothing is registered at import time.

    ConnectorError            exit 1
    ├── OperationFailed       exit 1
    ├── UsageError            exit 2
    ├── AuthError             exit 3
    └── RunFailed             exit 4
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_RUN_FAILED = 4
EXIT_INTERRUPTED = 130


class ConnectorError(Exception):
    """An error the connector raised on purpose, with a message meant for a person."""

    exit_code: int = EXIT_FAILED
    label: str = "error"


class OperationFailed(ConnectorError):
    """The operation failed at Intercom or on the way there."""

    exit_code = EXIT_FAILED
    label = "failed"


class UsageError(ConnectorError):
    """Bad usage or input: the user can fix it and try again."""

    exit_code = EXIT_USAGE
    label = "usage"


class AuthError(ConnectorError):
    """No usable credentials, a refused token, or a missing scope."""

    exit_code = EXIT_AUTH
    label = "authentication"


class RunFailed(ConnectorError):
    """A workflow run failed; its log has the details."""

    exit_code = EXIT_RUN_FAILED
    label = "run failed"


__all__ = [
    "EXIT_AUTH",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_RUN_FAILED",
    "EXIT_USAGE",
    "AuthError",
    "ConnectorError",
    "OperationFailed",
    "RunFailed",
    "UsageError",
]
