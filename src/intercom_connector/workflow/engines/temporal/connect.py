"""Reaching a Temporal service: a local dev server, a self-hosted cluster or Temporal Cloud.

``TemporalTarget`` is everything a worker or a starter needs to agree on: the address and
namespace, the task queue, how to authenticate to the service (mTLS files, an API key, or
plain TLS), and where large payloads live. Starters and workers must use the same key
(``INTERCOM_CONNECTOR_KEY`` or the store's key file) and the same payload directory.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client
from temporalio.service import RPCError, TLSConfig

from intercom_connector.auth.crypto import load_keys
from intercom_connector.errors import UsageError
from intercom_connector.home import connector_home
from intercom_connector.workflow.engines.temporal.payloads import (
    DEFAULT_THRESHOLD,
    DirectoryPayloadStore,
    PayloadStore,
    sealed_data_converter,
)

DEFAULT_ADDRESS = "127.0.0.1:7233"
DEFAULT_NAMESPACE = "default"
DEFAULT_TASK_QUEUE = "intercom-connector"


class TemporalUnreachable(UsageError):
    """No Temporal service answers at the address (or it refused the credentials)."""


@dataclass(frozen=True)
class TemporalTarget:
    address: str = DEFAULT_ADDRESS
    namespace: str = DEFAULT_NAMESPACE
    task_queue: str = DEFAULT_TASK_QUEUE
    tls: bool = False
    """TLS with the system's roots (Temporal Cloud with an API key needs it)."""
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_ca: Path | None = None
    api_key: str | None = None
    payload_dir: Path | None = None
    """Shared directory for payloads over ``payload_threshold``; default: the connector home."""
    payload_threshold: int = DEFAULT_THRESHOLD

    def tls_config(self) -> TLSConfig | bool:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise UsageError("--tls-cert and --tls-key go together (mTLS needs both)")
        if self.tls_cert is None and self.tls_ca is None:
            return self.tls or self.api_key is not None
        return TLSConfig(
            server_root_ca_cert=self.tls_ca.read_bytes() if self.tls_ca else None,
            client_cert=self.tls_cert.read_bytes() if self.tls_cert else None,
            client_private_key=self.tls_key.read_bytes() if self.tls_key else None,
        )

    def payload_store(self) -> PayloadStore:
        return DirectoryPayloadStore(self.payload_dir or connector_home() / "temporal-payloads")


async def connect(target: TemporalTarget, *, attempts: int = 20) -> Client:
    """A client whose payloads are sealed with the store's key; waits for a starting server."""
    converter = sealed_data_converter(
        load_keys(connector_home(), create=True),
        target.payload_store(),
        threshold=target.payload_threshold,
    )
    tls = target.tls_config()
    last: Exception | None = None
    for attempt in range(attempts):
        try:
            return await Client.connect(
                target.address,
                namespace=target.namespace,
                tls=tls,
                api_key=target.api_key,
                data_converter=converter,
            )
        except (RPCError, RuntimeError) as error:
            last = error
            await asyncio.sleep(min(0.25 * (attempt + 1), 2.0))
    raise TemporalUnreachable(
        f"cannot reach Temporal at {target.address} (namespace {target.namespace}): {last}; "
        "start one with `intercom-connector temporal server`, or check --address and TLS"
    )
