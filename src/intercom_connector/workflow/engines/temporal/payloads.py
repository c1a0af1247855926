"""What Temporal's history holds of a run: sealed payloads, and references for large ones.

Every payload (workflow input, activity input and output, query answers, failures) passes
``SealedPayloadCodec`` on its way to the server: it is encrypted with the connector store's
Fernet key (the same key ring that seals the stored tokens, so whoever can run a worker
can read its history and nobody else can), and when it is larger than ``threshold``
(256 KB by default) the sealed bytes go to a ``PayloadStore`` and the history keeps a
short reference instead. That keeps a 20,000-record listing out of Temporal's 2 MB payload
and 50 MB history limits, and an export download on shared storage rather than on the disk
of whichever worker happened to run it.

A ``PayloadStore`` is two methods; ``DirectoryPayloadStore`` (a directory every worker and
starter mounts, such as NFS or a shared volume) is the default. Entries are named by the
sha256 of their sealed content, so writing the same payload twice is harmless and a
reference can be checked on the way back.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter, PayloadCodec

from intercom_connector.auth.crypto import KeyRing
from intercom_connector.errors import ConnectorError

DEFAULT_THRESHOLD = 256 * 1024
SEALED_ENCODING = b"binary/intercom-connector-sealed"
STORED_ENCODING = b"binary/intercom-connector-stored"


class PayloadUnreadable(ConnectorError):
    """A payload cannot be opened: another key sealed it, or its stored copy is gone."""


class PayloadStore(Protocol):
    """Where payloads too large for the history live; shared by every worker and starter."""

    async def put(self, content: bytes) -> str:
        """Keep ``content``; the reference that ``get`` takes."""
        ...

    async def get(self, reference: str) -> bytes: ...


class DirectoryPayloadStore:
    """Content-addressed files under one directory (``<sha256[:2]>/<sha256>``)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, reference: str) -> Path:
        if len(reference) != 64 or any(c not in "0123456789abcdef" for c in reference):
            raise PayloadUnreadable(f"payload reference {reference[:80]!r} is not a sha256")
        return self.root / reference[:2] / reference

    def _write(self, content: bytes) -> str:
        reference = hashlib.sha256(content).hexdigest()
        path = self._path(reference)
        if path.exists():
            return reference
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(temporary, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        return reference

    def _read(self, reference: str) -> bytes:
        path = self._path(reference)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise PayloadUnreadable(
                f"stored payload {reference} is missing from {self.root}: every worker and "
                "starter must share the payload directory (--payload-dir)"
            ) from None
        if hashlib.sha256(content).hexdigest() != reference:
            raise PayloadUnreadable(f"stored payload {path} is damaged (its sha256 differs)")
        return content

    async def put(self, content: bytes) -> str:
        return await asyncio.to_thread(self._write, content)

    async def get(self, reference: str) -> bytes:
        return await asyncio.to_thread(self._read, reference)


class SealedPayloadCodec(PayloadCodec):
    """Encrypts every payload; moves the large ones into the payload store."""

    def __init__(
        self, keys: KeyRing, store: PayloadStore, *, threshold: int = DEFAULT_THRESHOLD
    ) -> None:
        self._fernet = MultiFernet([Fernet(key) for key in keys.keys])
        self._store = store
        self.threshold = threshold

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        encoded = []
        for payload in payloads:
            plain = payload.SerializeToString()
            sealed = self._fernet.encrypt(plain)
            if len(plain) > self.threshold:
                reference = await self._store.put(sealed)
                encoded.append(
                    Payload(metadata={"encoding": STORED_ENCODING}, data=reference.encode())
                )
            else:
                encoded.append(Payload(metadata={"encoding": SEALED_ENCODING}, data=sealed))
        return encoded

    async def keep(self, content: bytes) -> str:
        """Seal ``content`` into the payload store; its reference (see ``stored_outputs``)."""
        return await self._store.put(self._fernet.encrypt(content))

    async def fetch(self, reference: str) -> bytes:
        """What ``keep`` kept under ``reference``, opened."""
        return self._open(await self._store.get(reference))

    def _open(self, sealed: bytes) -> bytes:
        try:
            return self._fernet.decrypt(sealed)
        except InvalidToken:
            raise PayloadUnreadable(
                "a Temporal payload was sealed with another key: give every worker and "
                "starter the same INTERCOM_CONNECTOR_KEY"
            ) from None

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        decoded = []
        for payload in payloads:
            encoding = payload.metadata.get("encoding", b"")
            if encoding == STORED_ENCODING:
                sealed = await self._store.get(payload.data.decode("ascii", "replace"))
            elif encoding == SEALED_ENCODING:
                sealed = payload.data
            else:  # written by something else (the server's own payloads): leave as is
                decoded.append(payload)
                continue
            decoded.append(Payload.FromString(self._open(sealed)))
        return decoded


def sealed_data_converter(
    keys: KeyRing, store: PayloadStore, *, threshold: int = DEFAULT_THRESHOLD
) -> DataConverter:
    return DataConverter(payload_codec=SealedPayloadCodec(keys, store, threshold=threshold))
