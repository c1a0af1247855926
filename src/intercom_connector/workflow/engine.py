"""The one interface through which a workflow touches the world.

The interpreter is deterministic: given the same step outputs it takes the same path and
names every step execution with the same key (its loop path, ``loop-1[3].list-companies``).
Everything else goes through an ``Engine``: calling an operation, sleeping, reading the
clock, and reporting step boundaries. An engine that records those (the embedded one in
``engines/embedded.py``, or a durable-execution engine such as Temporal, where calls become
activities and sleeps become timers) can replay a run without the interpreter knowing.

This module imports neither the client nor the run log, so an engine that cannot run
either (a Temporal workflow sandbox) implements it with nothing else from the project.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

MAX_DELAY_SECONDS = 7 * 86_400
"""The longest delay, literal or resolved from a reference at run time."""
MAX_ITERATIONS = 100_000
"""The highest ``max_iterations`` a ``loop forever`` may ask for."""


@dataclass(frozen=True)
class StepRef:
    """One execution of one step: its stable key, the step's id and kind, its nesting."""

    key: str
    step_id: str
    kind: str
    depth: int = 0
    """How many loop iterations enclose it (0 for a top-level step)."""


@dataclass(frozen=True)
class StepError:
    """What a failed call tells the workflow (``$.steps.<id>.error``), secrets removed."""

    operation: str
    message: str
    status: int | None = None
    """The HTTP status Intercom answered, or None when no answer came back."""
    code: str | None = None
    """Intercom's error code (``not_found``, ``conflict``), or the failure's kind."""
    request_id: str | None = None

    def as_output(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "request_id": self.request_id,
            "operation": self.operation,
        }


ERROR_FIELDS = frozenset({"status", "code", "message", "request_id", "operation"})


def is_handled_error(output: Any) -> bool:
    """Whether a call's output is a failure ``on_error`` handled: ``{error: {...}}``.

    No Intercom reply has exactly that shape, so a replayed output can be told apart.
    """
    if not isinstance(output, dict) or set(output) != {"error"}:
        return False
    error = output["error"]
    return isinstance(error, dict) and set(error) == ERROR_FIELDS


class CallFailed(Exception):
    """An engine's ``call`` raises this when the operation failed for good.

    Engines translate their own failures (the client's errors, a Temporal activity
    failure) into it, so the interpreter handles errors without knowing where they came
    from. ``retryable`` says whether sending the request again may succeed and is safe
    (the failure is transient and the operation idempotent or settled); ``maybe_applied``
    that a write may have reached Intercom, so a resume must settle it before resending.
    """

    def __init__(
        self, error: StepError, *, retryable: bool = False, maybe_applied: bool = False
    ) -> None:
        self.error = error
        self.retryable = retryable
        self.maybe_applied = maybe_applied
        super().__init__(error.message)


class Engine(Protocol):
    """Side effects and step boundaries, as the interpreter sees them."""

    def now(self) -> float:
        """Unix time, as the engine records it (a replay reads the recorded clock)."""
        ...

    async def call(
        self,
        ref: StepRef,
        operation: str,
        data: dict[str, Any],
        *,
        all_pages: bool,
        parallel: int = 1,
        updated_since: float | None = None,
    ) -> Any:
        """The operation's output (all pages' records when ``all_pages``); CallFailed.
        ``parallel`` and ``updated_since`` are passed only when a step sets them."""
        ...

    async def sleep(self, ref: StepRef, seconds: float) -> None:
        """Wait ``seconds`` (0 <= seconds <= MAX_DELAY_SECONDS), durably if it can."""
        ...

    def started(self, ref: StepRef, input: Any) -> None: ...

    def finished(self, ref: StepRef, output: Any) -> None: ...

    def failed(self, ref: StepRef, error: str) -> None: ...


@dataclass(frozen=True)
class ProgressEvent:
    """What the terminal shows while a run goes (never written to the log)."""

    type: str
    """started, finished, replayed, failed, waiting or warning."""
    ref: StepRef
    data: Any = None


ProgressHandler = Callable[[ProgressEvent], None]
