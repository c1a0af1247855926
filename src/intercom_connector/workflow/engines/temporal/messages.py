"""What crosses Temporal's boundary: workflow input and result, activity input, journal pages.

Plain dataclasses of JSON values, so the default converter carries them and the payload
codec seals them. None of them holds a secret: a run names its authentication, and the
worker that runs the activity looks the token up on its own machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WORKFLOW_NAME = "intercom-connector.run"
CALLS_ACTIVITY = "intercom-connector.calls"
JOURNAL_QUERY = "journal"
QUOTA_WORKFLOW = "intercom-connector.quota"
LEASE_UPDATE = "lease"

DEFAULT_CONTINUE_AFTER = 8_000
"""History events after which a run continues as new (Temporal warns at 10,240)."""


@dataclass
class RunRequest:
    """One run of one workflow file: everything the interpreter needs, and no secret."""

    run_id: str
    definition: dict[str, Any]
    file: str | None
    config: dict[str, Any]
    env: dict[str, Any]
    auth: str
    """The authentication's name; each worker resolves it to a token from its own store."""
    activity_queue: str
    journal: str = "[]"
    """Events so far as JSON text, carried across continue-as-new (and into a resumed
    run). Text, because the converter turns a dataclass into a dict by deep copy, which
    for 80,000 events costs seconds of the workflow task's two-second budget."""
    continue_after: int = DEFAULT_CONTINUE_AFTER
    generation: int = 0
    """How many times this run has continued as new."""


@dataclass
class CallRequest:
    auth: str
    operation: str
    data: dict[str, Any]
    all_pages: bool
    key: str
    step_id: str
    listing: dict[str, Any]
    """With ``all_pages``: the listing options a step set (parallel, updated_since)."""


@dataclass
class CallBatch:
    """The calls one workflow task issued, sent as one activity (see ``interpreted``)."""

    calls: list[CallRequest]


@dataclass
class CallOutcome:
    """One call of a batch: its output, or the ``StepError`` fields of its failure."""

    output: Any = None
    error: dict[str, Any] | None = None
    maybe_applied: bool = False


@dataclass
class Lease:
    """Permits to send ``count`` requests from unix time ``start`` (see ``quota``)."""

    count: int
    start: float


@dataclass
class QuotaState:
    """The shared rate limit of one authentication, carried across continue-as-new."""

    next_free: float = 0.0
    """When the next permit may start (unix time): permits are handed out at the rate of
    the worker asking, so together the workers never exceed it."""


@dataclass
class RunOutcome:
    status: str
    """succeeded or failed."""
    outputs: str
    """The top-level step outputs as JSON text (see ``RunRequest.journal``)."""
    error: str | None = None
    step: str | None = None
    key: str | None = None
    journal: str = "[]"
    """The events of this run's last leg (from index ``journal_from``), so the mirror of a
    finished run needs no query, which Temporal would answer by replaying the history."""
    journal_from: int = 0


@dataclass
class JournalPage:
    events: str
    """JSON text of a list of events (see ``RunRequest.journal``)."""
    next: int
    """Where the next page starts."""
    running: bool
