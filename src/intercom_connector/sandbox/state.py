"""The sandbox workspace in memory: every stateful resource and the ids that name them.

Records are small slotted dataclasses holding only what can change; the reply shapes are
built by the resource modules. ``SandboxState`` is rebuilt from the config on reset, and
``seeding.seed_state`` fills it deterministically from ``config.seed``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .config import Clock, SandboxConfig
from .contact_store import ContactStore
from .search_index import ResultCache

if TYPE_CHECKING:
    from .collection_store import CollectionStore


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
class Admin:
    """A teammate; ``/me`` answers with the first."""

    id: str
    name: str
    email: str
    job_title: str
    team_ids: list[int] = field(default_factory=list)
    away_mode_enabled: bool = False
    away_mode_reassign: bool = False
    away_status_reason_id: int | None = None


@dataclass(slots=True)
class Team:
    """A team of admins (ids as Intercom sends them, numbers)."""

    id: str
    name: str
    admin_ids: list[int] = field(default_factory=list)


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


@dataclass
class Workspace:
    """The workspace (app) the token belongs to."""

    id_code: str
    name: str
    created_at: int
    region: str = "US"
    timezone: str = "UTC"


class Ids:
    """Deterministic identifiers in Intercom's styles (24-hex object ids, numeric strings)."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"ids:{seed}")
        self.contact_prefix = f"{self._rng.randrange(0x60000000, 0x6FFFFFFF):08x}"
        self.company_prefix = f"{self._rng.randrange(0x60000000, 0x6FFFFFFF):08x}"
        self.segment_prefix = f"{self._rng.randrange(0x60000000, 0x6FFFFFFF):08x}"
        self._counters: dict[str, int] = {}

    def next_number(self, kind: str, start: int) -> str:
        value = self._counters.get(kind, start)
        self._counters[kind] = value + 1
        return str(value)

    def company_id(self, seq: int) -> str:
        return f"{self.company_prefix}{seq:016x}"

    def token(self, length: int = 16) -> str:
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(self._rng.choice(alphabet) for _ in range(length))

    def uuid(self) -> str:
        raw = f"{self._rng.getrandbits(128):032x}"
        return f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-a{raw[17:20]}-{raw[20:32]}"


class SandboxState:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.ids = Ids(config.seed)
        rng = random.Random(f"workspace:{config.seed}")
        id_code = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(8))
        self.workspace = Workspace(
            id_code=id_code,
            name=f"Sandbox workspace {config.seed}",
            created_at=config.seed_epoch - 400 * 86_400,
        )
        self.contacts = ContactStore(self.ids.contact_prefix, id_code)
        self.companies: dict[str, Company] = {}
        self.company_by_remote_id: dict[str, str] = {}
        self.tags: dict[str, Tag] = {}
        self.notes: dict[str, Note] = {}
        self.admins: dict[str, Admin] = {}
        self.teams: dict[str, Team] = {}
        self.segments: dict[str, Segment] = {}
        self.data_attributes: list[dict[str, Any]] = []
        self.conversations: dict[str, Conversation] = {}
        self.conversation_order: list[int] = []
        self.conversations_by_seq: dict[int, Conversation] = {}
        self.conversation_version = 0
        self.events: list[DataEvent] = []
        self.exports: dict[str, ExportJob] = {}
        self.scroll: Scroll | None = None
        self.oauth_codes: dict[str, AuthorizationCode] = {}
        self.issued_tokens: set[str] = set()
        self.search_cache = ResultCache()
        self._collections: CollectionStore | None = None

    @property
    def collections(self) -> CollectionStore:
        """The generic collections' state, made when a request first touches one."""
        if self._collections is None:
            from .collection_store import CollectionStore

            self._collections = CollectionStore(self.now)
        return self._collections

    @property
    def clock(self) -> Clock:
        return self.config.clock

    def now(self) -> int:
        return int(self.config.clock.now())

    @property
    def first_admin(self) -> Admin:
        return next(iter(self.admins.values()))

    def valid_token(self, token: str) -> bool:
        return token in self.config.tokens or token in self.issued_tokens
