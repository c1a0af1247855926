"""The credential store: authentications in SQLite, their secrets sealed with Fernet.

One database per user data directory (``connector.db``, shared with the workflow run log);
this module owns the ``authentications`` and ``auth_meta`` tables. ``storage`` opens the file
(mode 0600 from the first moment, WAL, schema version).

Visibility follows the connector page: a personal authentication is usable (and visible)
only by the OS user who created it; an organisational one by every user of the store.
Names are unique across the store so that a name in a shared workflow file means one thing.
"""

from __future__ import annotations

import getpass
import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from intercom_connector.auth.crypto import KeyRing, SecretCipher, generate_key, load_keys
from intercom_connector.auth.crypto.keys import write_key_file
from intercom_connector.auth.errors import (
    AuthenticationExists,
    AuthenticationNotFound,
    InvalidAuthenticationInput,
)
from intercom_connector.auth.models import (
    Authentication,
    AuthType,
    Method,
    ResolvedAuthentication,
    check_base_url,
    check_name,
    check_region,
)
from intercom_connector.auth.store_problems import DamagedEntry, store_problems
from intercom_connector.home import database_path
from intercom_connector.storage import open_database, reseal

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS authentications (
    name TEXT PRIMARY KEY,
    type TEXT NOT NULL CHECK (type IN ('personal', 'organisational')),
    owner TEXT NOT NULL,
    method TEXT NOT NULL,
    region TEXT NOT NULL,
    base_url TEXT,
    scopes TEXT NOT NULL,
    extra_scopes TEXT NOT NULL,
    client_id TEXT,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    secret BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
"""
_COLUMNS = (
    "name, type, owner, method, region, base_url, scopes, extra_scopes, client_id, "
    "created_at, last_used_at"
)


def current_user() -> str:
    """The OS user: the owner of what they create, and whose personal entries they see."""
    return getpass.getuser()


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _from_row(row: tuple, path: Path, *, lenient: bool = False) -> Authentication:
    """The authentication of one row; a damaged column raises DamagedEntry naming it.

    ``lenient`` reads what it can and empties the rest, so that a damaged entry can still be
    seen to be its owner's and removed.
    """
    (name, kind, owner, method, region, base_url, scopes, extra, client_id, created, used) = row

    def read(column: str, parse: Callable[[], Any], fallback: Any) -> Any:
        try:
            return parse()
        except (ValueError, TypeError):  # JSONDecodeError, a bad enum value or date
            if lenient:
                return fallback
            raise DamagedEntry(path, str(name), column) from None

    return Authentication(
        name=name,
        type=read("type", lambda: AuthType(kind), AuthType.personal),
        owner=owner,
        method=read("method", lambda: Method(method), Method.token),
        region=region,
        base_url=base_url,
        scopes=read("scopes", lambda: _text_list(scopes), ()),
        extra_scopes=read("extra_scopes", lambda: _text_list(extra), ()),
        created_at=read("created_at", lambda: datetime.fromisoformat(created), _EPOCH),
        last_used_at=read(
            "last_used_at", lambda: datetime.fromisoformat(used) if used else None, None
        ),
        client_id=client_id,
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _text_list(column: str) -> tuple[str, ...]:
    value = json.loads(column)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("not a JSON list of strings")
    return tuple(value)


class AuthenticationStore:
    """Add, list, resolve and remove authentications for one OS user of one store.

    ``owner`` defaults to the OS user and ``keys`` to ``INTERCOM_CONNECTOR_KEY`` or the key
    file; tests inject both. Listing and removing need no key: only sealing and opening a
    secret do, so a lost key still lets people see and clean up what is stored.
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        owner: str | None = None,
        keys: KeyRing | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.path = Path(path) if path is not None else database_path()
        self.owner = owner or current_user()
        self._keys = keys
        self._clock = clock

    def __repr__(self) -> str:
        return f"AuthenticationStore(path={str(self.path)!r}, owner={self.owner!r})"

    @contextmanager
    def _transaction(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction; writes take the lock up front so check-then-insert cannot race."""
        with store_problems(self.path):
            opened = open_database(self.path, migrations={"auth": (SCHEMA,)})
            with closing(opened) as connection:
                connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield connection
                except BaseException:
                    with suppress(sqlite3.Error):  # keep the error that got us here
                        connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")

    def _cipher(self, connection: sqlite3.Connection) -> SecretCipher:
        """The cipher for this store, after proving its key opens what is already sealed."""
        found = connection.execute("SELECT value FROM auth_meta WHERE key = 'key_check'").fetchone()
        has_secrets = found is not None or bool(
            connection.execute("SELECT 1 FROM authentications LIMIT 1").fetchone()
        )
        ring = self._keys or load_keys(self.path.parent, create=not has_secrets)
        cipher = SecretCipher(ring)
        if found is not None:
            cipher.verify(found[0])
        else:
            for name, sealed in connection.execute("SELECT name, secret FROM authentications"):
                cipher.open(name, sealed)
            connection.execute(
                "INSERT INTO auth_meta (key, value) VALUES ('key_check', ?)", (cipher.key_check(),)
            )
        return cipher

    def _row(
        self, connection: sqlite3.Connection, name: str, *, lenient: bool = False
    ) -> Authentication | None:
        row = connection.execute(
            f"SELECT {_COLUMNS} FROM authentications WHERE name = ?", (name,)
        ).fetchone()
        return _from_row(row, self.path, lenient=lenient) if row else None

    def _visible(
        self, connection: sqlite3.Connection, name: str, *, lenient: bool = False
    ) -> Authentication:
        found = self._row(connection, name, lenient=lenient)
        if found is None or not found.visible_to(self.owner):
            raise AuthenticationNotFound(name)
        return found

    def check_available(self, name: str) -> None:
        """Raise unless ``name`` is valid and free (checked before an OAuth flow, not after)."""
        check_name(name)
        with self._transaction(write=False) as connection:
            self._refuse_taken(connection, name)

    def _refuse_taken(self, connection: sqlite3.Connection, name: str) -> None:
        existing = self._row(connection, name)
        if existing is not None:
            whose = "" if existing.visible_to(self.owner) else " (another user's personal one)"
            raise AuthenticationExists(
                f"an authentication named {name!r} already exists{whose}; "
                "choose another name or remove it first"
            )

    def add(
        self,
        name: str,
        token: str,
        *,
        type: AuthType | str = AuthType.personal,
        region: str | None = "us",
        base_url: str | None = None,
        scopes: Iterable[str] = (),
        extra_scopes: Iterable[str] = (),
        method: Method = Method.token,
        client_id: str | None = None,
    ) -> Authentication:
        """Store a new authentication owned by the current user; its token is sealed first."""
        token = token.strip()
        if not token:
            raise InvalidAuthenticationInput("the access token is empty")
        authentication = Authentication(
            name=check_name(name),
            type=AuthType.parse(type),
            owner=self.owner,
            method=method,
            region=check_region(region),
            base_url=check_base_url(base_url),
            scopes=tuple(dict.fromkeys(scopes)),
            extra_scopes=tuple(dict.fromkeys(extra_scopes)),
            created_at=self._clock(),
            client_id=client_id,
        )
        with self._transaction() as connection:
            self._refuse_taken(connection, name)
            sealed = self._cipher(connection).seal(name, token)
            connection.execute(
                f"INSERT INTO authentications ({_COLUMNS}, secret) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    authentication.name,
                    authentication.type.value,
                    authentication.owner,
                    authentication.method.value,
                    authentication.region,
                    authentication.base_url,
                    json.dumps(list(authentication.scopes)),
                    json.dumps(list(authentication.extra_scopes)),
                    authentication.client_id,
                    authentication.created_at.isoformat(),
                    None,
                    sealed,
                ),
            )
        log.info(
            "added %s authentication %r (owner %s)", authentication.type.value, name, self.owner
        )
        return authentication

    def update(
        self,
        name: str,
        *,
        token: str | None = None,
        type: AuthType | str | None = None,
        scopes: Iterable[str] | None = None,
        extra_scopes: Iterable[str] | None = None,
    ) -> Authentication:
        """Change an authentication's type, granted scopes or token (resealed); None: keep.

        Whoever may use it may update it, as with ``remove``; its name and owner stay.
        """
        if token is not None and not token.strip():
            raise InvalidAuthenticationInput("the access token is empty")
        with self._transaction() as connection:
            current = self._visible(connection, name)
            updated = replace(
                current,
                type=current.type if type is None else AuthType.parse(type),
                method=current.method if token is None else Method.token,
                scopes=current.scopes if scopes is None else tuple(dict.fromkeys(scopes)),
                extra_scopes=(
                    current.extra_scopes
                    if extra_scopes is None
                    else tuple(dict.fromkeys(extra_scopes))
                ),
            )
            connection.execute(
                "UPDATE authentications SET type = ?, method = ?, scopes = ?, extra_scopes = ? "
                "WHERE name = ?",
                (
                    updated.type.value,
                    updated.method.value,
                    json.dumps(list(updated.scopes)),
                    json.dumps(list(updated.extra_scopes)),
                    name,
                ),
            )
            if token is not None:
                sealed = self._cipher(connection).seal(name, token.strip())
                connection.execute(
                    "UPDATE authentications SET secret = ? WHERE name = ?", (sealed, name)
                )
        log.info("updated authentication %r", name)
        return updated

    def list(self) -> list[Authentication]:
        """Every authentication this user may use, by name; never a secret."""
        with self._transaction(write=False) as connection:
            rows = connection.execute(
                f"SELECT {_COLUMNS} FROM authentications ORDER BY name"
            ).fetchall()
        found = (_from_row(row, self.path) for row in rows)
        return [auth for auth in found if auth.visible_to(self.owner)]

    def get(self, name: str) -> Authentication:
        with self._transaction(write=False) as connection:
            return self._visible(connection, name)

    def resolve(self, name: str) -> ResolvedAuthentication:
        """Open the secret of ``name`` for use, and record that it was used now."""
        with self._transaction() as connection:
            authentication = self._visible(connection, name)
            (sealed,) = connection.execute(
                "SELECT secret FROM authentications WHERE name = ?", (name,)
            ).fetchone()
            token = self._cipher(connection).open(name, sealed)
            connection.execute(
                "UPDATE authentications SET last_used_at = ? WHERE name = ?",
                (self._clock().isoformat(), name),
            )
        log.debug("resolved authentication %r", name)
        return ResolvedAuthentication(
            name=authentication.name,
            token=token,
            region=authentication.region,
            base_url=authentication.base_url,
            scopes=authentication.granted_scopes,
        )

    def remove(self, name: str) -> Authentication:
        """Delete an authentication: personal ones by their owner, organisational by anyone.

        Organisational authentications are shared like the team's keys: whoever may use one
        may also retire it (for example after the token was revoked at Intercom).
        """
        with self._transaction() as connection:
            authentication = self._visible(connection, name, lenient=True)  # damaged ones too
            connection.execute("DELETE FROM authentications WHERE name = ?", (name,))
        log.info("removed authentication %r", name)
        return authentication

    def rotate_key(self) -> int:
        """Re-encrypt every secret with a new key; returns how many secrets were re-encrypted.

        With a key file, a new key is generated and written first (old keys kept after it),
        the secrets are re-encrypted in one transaction, and only then are the old keys
        dropped; a crash at any point leaves a file that still opens every secret. With
        ``INTERCOM_CONNECTOR_KEY`` the first key listed there is the new one.
        """
        with self._transaction() as connection:
            ring = self._cipher(connection).ring  # the current keys must open the store
        key_file = ring.path
        if key_file is not None:
            ring = KeyRing((generate_key(), *ring.keys), ring.source, key_file)
            write_key_file(key_file, ring.keys)
        with self._transaction() as connection:
            cipher = SecretCipher(ring)
            rows = connection.execute("SELECT name, secret FROM authentications").fetchall()
            for name, sealed in rows:
                cipher.open(name, sealed)  # refuses a row sealed for another name
                connection.execute(
                    "UPDATE authentications SET secret = ? WHERE name = ?",
                    (cipher.rotate(sealed), name),
                )
            connection.execute(
                "INSERT OR REPLACE INTO auth_meta (key, value) VALUES ('key_check', ?)",
                (cipher.key_check(),),
            )
            # The run log in the same database is sealed with the same keys.
            reseal(connection, cipher.rotate)
        if key_file is not None:
            write_key_file(key_file, ring.keys[:1])
        log.info("re-encrypted %d secrets with a new key", len(rows))
        return len(rows)


def resolve(name: str, *, store: AuthenticationStore | None = None) -> ResolvedAuthentication:
    """The token, region, base URL and scopes of authentication ``name``; marks it used.

    The entry point for every layer that runs operations (``--auth``, a workflow's default
    authentication): it applies visibility and decrypts with the configured key.
    """
    return (store or AuthenticationStore()).resolve(name)
