"""What a step produced, kept exactly and sealed at rest: the run log's payload codec.

A payload is encoded as JSON, exactly: large integers, unicode, keys that look secret and
``MISSING`` (nothing matched a reference) all come back as they went in. Plain JSON data
costs one ``json.dumps``; only a value that JSON cannot say (``MISSING``, bytes) takes the
slow path, an escaped form in which such values, and any dict that itself has a ``"$"``
key, become ``{"$": <kind>, ...}`` markers, so that no real value is ever read back as a
marker. Large payloads are compressed, then everything is sealed with Fernet under the
store's key ring (the auth layer's key handling: ``INTERCOM_CONNECTOR_KEY`` or the key
file next to the database). Outputs hold customer data; the log file alone shows none.

Nothing is masked here: masking is for display (``intercom_connector.redaction``).
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from intercom_connector.auth.crypto import KeyRing
from intercom_connector.workflow.references import MISSING

_ESCAPED = 1
_COMPRESSED = 2
_COMPRESS_FROM = 512
"""Payloads shorter than this are stored as they are: zlib would not win much."""
_KEY_CHECK = b"intercom-connector run log v2"


class SealBroken(ValueError):
    """A payload that the store's key cannot open (another key, or a damaged row)."""


class _NeedsEscape(Exception):
    pass


def _plain_default(value: Any) -> Any:
    raise _NeedsEscape


def _escape(value: Any) -> Any:
    if value is MISSING:
        return {"$": "missing"}
    if isinstance(value, Mapping):
        if "$" in value:
            return {"$": "object", "items": [[key, _escape(item)] for key, item in value.items()]}
        return {key: _escape(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_escape(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return {"$": "bytes", "base64": base64.b64encode(value).decode("ascii")}
    if value is None or isinstance(value, str | int | float):
        return value
    return {"$": "text", "text": str(value)}


def _unescape(marker: dict[str, Any]) -> Any:
    kind = marker.get("$")
    if kind is None:
        return marker
    if kind == "missing":
        return MISSING
    if kind == "object":
        return {key: item for key, item in marker["items"]}
    if kind == "bytes":
        return base64.b64decode(marker["base64"])
    return marker.get("text")


def encode(value: Any) -> bytes:
    """``value`` as exact JSON bytes with a one-byte header (escaped? compressed?)."""
    flags = 0
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_plain_default)
    except _NeedsEscape:
        flags |= _ESCAPED
        text = json.dumps(_escape(value), ensure_ascii=False, separators=(",", ":"))
    body = text.encode("utf-8", errors="surrogatepass")
    if len(body) >= _COMPRESS_FROM:
        flags |= _COMPRESSED
        body = zlib.compress(body, 1)
    return bytes((flags,)) + body


def decode(data: bytes) -> Any:
    flags, body = data[0], data[1:]
    if flags & _COMPRESSED:
        body = zlib.decompress(body)
    text = body.decode("utf-8", errors="surrogatepass")
    if flags & _ESCAPED:
        return json.loads(text, object_hook=_unescape)
    return json.loads(text)


class Sealer:
    """Seals payloads with the newest key of the ring; opens them with any key of it."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring
        self._fernet = MultiFernet([Fernet(key) for key in ring.keys])

    def __repr__(self) -> str:
        return f"Sealer({self.ring!r})"

    def seal(self, value: Any) -> bytes:
        # Stored as raw bytes: Fernet's base64 would make every row a third larger.
        return base64.urlsafe_b64decode(self._fernet.encrypt(encode(value)))

    def open(self, sealed: bytes) -> Any:
        try:
            return decode(self._fernet.decrypt(base64.urlsafe_b64encode(sealed)))
        except InvalidToken:
            raise SealBroken(
                f"cannot open the run log's history with the key from {self.ring.source}: "
                "it is not the key the log was written with"
            ) from None

    def rotate(self, sealed: bytes) -> bytes:
        """The same payload under the newest key (``auth rotate-key``)."""
        try:
            token = self._fernet.rotate(base64.urlsafe_b64encode(sealed))
        except InvalidToken:
            raise SealBroken("a run log row cannot be opened with any key of the ring") from None
        return base64.urlsafe_b64decode(token)

    def key_check(self) -> bytes:
        return self.seal(_KEY_CHECK.decode())

    def verify(self, check: bytes) -> None:
        if self.open(check) != _KEY_CHECK.decode():
            raise SealBroken(f"the key from {self.ring.source} is not the run log's key")
