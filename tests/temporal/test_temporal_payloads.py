"""Payloads sent to Temporal are sealed with the store's key; large ones go to the store."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("temporalio", reason="the [temporal] extra is not installed")

from cryptography.fernet import Fernet
from temporalio.converter import DataConverter

from intercom_connector.auth.crypto import KeyRing
from intercom_connector.workflow.engines.temporal import DirectoryPayloadStore, SealedPayloadCodec
from intercom_connector.workflow.engines.temporal.payloads import (
    STORED_ENCODING,
    PayloadUnreadable,
)


def codec(root: Path, key: bytes | None = None, threshold: int = 1024) -> SealedPayloadCodec:
    ring = KeyRing((key or Fernet.generate_key(),), "test")
    return SealedPayloadCodec(ring, DirectoryPayloadStore(root), threshold=threshold)


async def _roundtrip(sealer: SealedPayloadCodec, value: object) -> tuple[list, object]:
    converter = DataConverter.default
    payloads = converter.payload_converter.to_payloads([value])
    encoded = await sealer.encode(payloads)
    decoded = await sealer.decode(encoded)
    return encoded, converter.payload_converter.from_payloads(decoded)[0]


async def test_a_small_payload_is_sealed_in_place(tmp_path: Path):
    encoded, back = await _roundtrip(codec(tmp_path), {"email": "ada@example.com"})
    assert back == {"email": "ada@example.com"}
    assert b"ada@example.com" not in encoded[0].data
    assert not any(tmp_path.iterdir())


async def test_a_large_payload_is_stored_sealed_and_referenced(tmp_path: Path):
    value = {"contacts": [{"email": f"user{n}@example.com"} for n in range(200)]}
    encoded, back = await _roundtrip(codec(tmp_path), value)
    assert back == value
    assert encoded[0].metadata["encoding"] == STORED_ENCODING
    (stored,) = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert stored.name == encoded[0].data.decode()
    assert b"@example.com" not in stored.read_bytes()


async def test_a_payload_sealed_with_another_key_is_refused_with_a_clear_message(tmp_path: Path):
    converter = DataConverter.default.payload_converter
    encoded = await codec(tmp_path).encode(converter.to_payloads(["secret"]))
    with pytest.raises(PayloadUnreadable, match="INTERCOM_CONNECTOR_KEY"):
        await codec(tmp_path).decode(encoded)
