"""The records of the seeded resources (and of exports, scrolls and OAuth codes).

Small slotted dataclasses holding only what can change; the reply shapes are built by the
resource modules. Kept apart from ``state`` so a request that reads only the workspace and
its admins (``/me``) neither defines these classes nor seeds them: ``SandboxState`` seeds
the records on their first use (``seeding.seed_records``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Company:
    """A company: what can change; ``companies.py`` renders the reply shape."""

    seq: int
    id: str
    company_id: str
    name: str
    created_at: int
    updated_at: int
    remote_created_at: int | None = None
    last_request_at: int | None = None
    plan: str | None = None
    size: int | None = None
    website: str | None = None
    industry: str | None = None
    monthly_spend: int = 0
    session_count: int = 0
    custom_attributes: dict[str, Any] = field(default_factory=dict)
    tag_ids: list[str] = field(default_factory=list)
    contact_seqs: set[int] = field(default_factory=set)
    note_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Tag:
    """A tag, applied by id to contacts, companies and conversations."""

    id: str
    name: str
    created_at: int


@dataclass(slots=True)
class Note:
    """A note on one contact or company, written by an admin."""

    id: str
    body: str
    created_at: int
    author_id: str
    contact_seq: int | None = None
    company_id: str | None = None


@dataclass(slots=True)
class Segment:
    """A segment, whose members are computed from a role or plans, not stored."""

    id: str
    name: str
    created_at: int
    model: str  # "contact" or "company"
    person_type: str  # "user" or "contact" (leads)
    role: str | None = None  # contact segments: the role they hold
    plans: tuple[str, ...] = ()  # company segments: the plans they hold


@dataclass(slots=True)
class Conversation:
    """A conversation with its parts; ``seq`` orders it for listings and search."""

    seq: int
    id: str
    created_at: int
    updated_at: int
    source: dict[str, Any]
    contact_seqs: list[int]
    state: str = "open"
    read: bool = False
    priority: str = "none"
    title: str | None = None
    admin_assignee_id: str | None = None
    team_assignee_id: str | None = None
    waiting_since: int | None = None
    snoozed_until: int | None = None
    tag_ids: list[str] = field(default_factory=list)
    custom_attributes: dict[str, Any] = field(default_factory=dict)
    parts: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class DataEvent:
    """A data event submitted for one contact."""

    seq: int
    event_name: str
    created_at: int
    contact_seq: int
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ExportJob:
    """A content export job; it completes once ``duration`` has passed."""

    id: str
    created_at: float
    created_at_after: int
    created_at_before: int
    duration: float
    row_count: int
    canceled: bool = False


@dataclass(slots=True)
class Scroll:
    """The one open companies scroll, as Intercom allows one per workspace."""

    param: str
    company_ids: list[str]
    position: int
    last_used: float


@dataclass(slots=True)
class AuthorizationCode:
    """An OAuth code, exchangeable once for a token."""

    code: str
    client_id: str
    redirect_uri: str
    issued_at: float
    used: bool = False
