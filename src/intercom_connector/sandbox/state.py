"""The sandbox workspace in memory: every stateful resource and the ids that name them.

The workspace, its admins and teams are made with the state: ``/me`` and the teams answer
from them. The other seeded resources (records in ``records.py``) are made on first use:
a ``call identify_admin --sandbox`` never defines or fills them. ``SandboxState`` is rebuilt
from the config on reset, and ``staff.seed_staff`` and ``seeding.seed_records`` fill it
deterministically from ``config.seed``.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .config import Clock, SandboxConfig

if TYPE_CHECKING:
    from .collection_store import CollectionStore
    from .contact_store import ContactStore
    from .records import (
        AuthorizationCode,
        Company,
        Conversation,
        DataEvent,
        ExportJob,
        Note,
        Scroll,
        Segment,
        Tag,
    )
    from .search_index import ResultCache

SEEDED_ON_FIRST_USE = frozenset(
    {
        "ids",
        "contacts",
        "companies",
        "company_by_remote_id",
        "tags",
        "notes",
        "segments",
        "data_attributes",
        "conversations",
        "conversation_order",
        "conversations_by_seq",
        "events",
    }
)
"""What ``seeding.seed_records`` makes, all at once, when any of it is first read. The ids
are among them, so no record is numbered before the seeded ones are."""

_SEEDING = threading.Lock()


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
    """The workspace's resources; the seeded ones appear on first use (``ensure_seeded``).

    Seeding all of them in one go, in one order, whichever is read first, keeps a seed's
    workspace the same byte for byte: each resource draws from its own random stream, and
    the shared ``ids`` counters are made with them.
    """

    ids: Ids
    contacts: ContactStore
    companies: dict[str, Company]
    company_by_remote_id: dict[str, str]
    tags: dict[str, Tag]
    notes: dict[str, Note]
    segments: dict[str, Segment]
    data_attributes: list[dict[str, Any]]
    conversations: dict[str, Conversation]
    conversation_order: list[int]
    conversations_by_seq: dict[int, Conversation]
    events: list[DataEvent]
    search_cache: ResultCache

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.seed_config = config
        """The config the records are seeded from: ``configure`` may change ``config``'s
        knobs before the first use, and sizes and the seed apply only on reset."""
        rng = random.Random(f"workspace:{config.seed}")
        id_code = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(8))
        self.workspace = Workspace(
            id_code=id_code,
            name=f"Sandbox workspace {config.seed}",
            created_at=config.seed_epoch - 400 * 86_400,
        )
        self.admins: dict[str, Admin] = {}
        self.teams: dict[str, Team] = {}
        self.conversation_version = 0
        self.exports: dict[str, ExportJob] = {}
        self.scroll: Scroll | None = None
        self.oauth_codes: dict[str, AuthorizationCode] = {}
        self.issued_tokens: set[str] = set()
        self._collections: CollectionStore | None = None

    if not TYPE_CHECKING:  # hidden from mypy, so a misspelt attribute is still an error

        def __getattr__(self, name: str) -> Any:
            # Only reached for attributes not set yet: the ones made on first use.
            if name == "search_cache":
                from .search_index import ResultCache

                self.search_cache = ResultCache()
                return self.search_cache
            if name in SEEDED_ON_FIRST_USE and "ids" not in self.__dict__:
                self.ensure_seeded()
                return self.__dict__[name]
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def ensure_seeded(self) -> None:
        """Seed the records now (a server does, before it listens, so no request waits).

        A served sandbox's state may be first read by a request and by the test or caller
        at once: the records are seeded under a lock into a scratch copy and published in
        one step, so nobody sees them half made or seeded twice.
        """
        if "ids" in self.__dict__:
            return
        from .seeding import seed_records

        with _SEEDING:
            if "ids" in self.__dict__:
                return
            scratch = object.__new__(SandboxState)
            scratch.__dict__.update(self.__dict__)
            seed_records(scratch)
            self.__dict__.update({name: scratch.__dict__[name] for name in SEEDED_ON_FIRST_USE})

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
