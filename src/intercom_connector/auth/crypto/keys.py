"""Key material for sealing secrets: from the environment, or a key file made on first use.

``INTERCOM_CONNECTOR_KEY`` holds one or more Fernet keys separated by commas; the key file
(``secret.key`` in the connector home, mode 0600) holds one key per line. Either way the
first key encrypts and every key decrypts, which is what makes rotation possible: put the new
key first, re-encrypt, then drop the old ones. The environment wins over the file so that CI
and servers can keep the key out of the data directory entirely.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet

from intercom_connector.auth.errors import InvalidKey, KeyFileExposed, KeyMissing

KEY_ENV = "INTERCOM_CONNECTOR_KEY"
KEY_FILE_NAME = "secret.key"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeyRing:
    """Fernet keys, newest first, and a description of where they came from (for messages)."""

    keys: tuple[bytes, ...] = field(repr=False)
    source: str
    path: Path | None = None

    @property
    def from_environment(self) -> bool:
        return self.path is None

    def __repr__(self) -> str:
        return f"KeyRing(keys=<{len(self.keys)} hidden>, source={self.source!r})"


def generate_key() -> bytes:
    return Fernet.generate_key()


def parse_keys(text: str, source: str, separator: str) -> tuple[bytes, ...]:
    """Split and check keys; the message names the position of a bad key, never its value."""
    entries = [entry.strip() for entry in text.split(separator)]
    keys = tuple(entry.encode("ascii", errors="replace") for entry in entries if entry)
    if not keys:
        raise InvalidKey(f"{source} is empty; it must hold at least one Fernet key")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise InvalidKey(
                f"{source}: key {position} is not a Fernet key (32 url-safe base64-encoded "
                "bytes), as made by `cryptography.fernet.Fernet.generate_key()`"
            ) from None
    return keys


def key_file_path(home: Path) -> Path:
    return home / KEY_FILE_NAME


def write_key_file(path: Path, keys: tuple[bytes, ...]) -> None:
    """Replace the key file atomically, never letting it exist with a looser mode than 0600."""
    temporary = path.with_name(path.name + ".new")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(b"\n".join(keys) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _create_key_file(path: Path) -> tuple[bytes, ...]:
    key = generate_key()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return _read_key_file(path)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key + b"\n")
    log.info("created encryption key file %s", path)
    return (key,)


def _read_key_file(path: Path) -> tuple[bytes, ...]:
    """The keys in ``path``, refused (as ssh refuses a private key) if others may read it."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise KeyFileExposed(
                f"key file {path} is open to other users (mode {mode:04o}); it opens every "
                f"stored secret, so run `chmod 600 {path}` (and check who may have copied it)"
            )
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError as error:
        raise InvalidKey(f"cannot read key file {path}: {error.strerror}") from None
    return parse_keys(text, f"key file {path}", "\n")


def load_keys(home: Path, *, create: bool) -> KeyRing:
    """The keys to use: ``INTERCOM_CONNECTOR_KEY`` if set, else the key file.

    ``create`` says whether a missing key file may be made now; the store passes False once
    it holds secrets, because a fresh key could never open them.
    """
    configured = os.environ.get(KEY_ENV)
    if configured is not None and configured.strip():
        return KeyRing(parse_keys(configured, KEY_ENV, ","), KEY_ENV)
    path = key_file_path(home)
    if path.exists():
        return KeyRing(_read_key_file(path), f"key file {path}", path)
    if not create:
        raise KeyMissing(
            f"the store holds encrypted secrets but the key file {path} is missing; restore "
            f"it, or set {KEY_ENV} to the key the secrets were encrypted with"
        )
    return KeyRing(_create_key_file(path), f"key file {path}", path)
