"""The Temporal engine (the ``[temporal]`` extra): the same interpreter, durable and spread out.

Nothing else in the package imports this subpackage, and only it imports ``temporalio``.

- ``interpreted``  the Temporal workflow running the interpreter; calls as activities
- ``activities``   the call activity, run by workers that hold the secrets
- ``worker``       workers: the run queue, and one rate-limited call queue per auth
- ``runs``         starting, resuming and mirroring runs into the local run log
- ``payloads``     sealed payloads, and the store for large ones
- ``connect``      reaching a dev server, a cluster or Temporal Cloud
- ``server``       the local dev server from the installed binary
"""

from intercom_connector.workflow.engines.temporal.connect import (
    TemporalTarget,
    TemporalUnreachable,
    connect,
)
from intercom_connector.workflow.engines.temporal.payloads import (
    DirectoryPayloadStore,
    PayloadStore,
    SealedPayloadCodec,
)
from intercom_connector.workflow.engines.temporal.runs import (
    mirror,
    resume_run,
    start_run,
    start_triggered,
    triggered_run_id,
)
from intercom_connector.workflow.engines.temporal.server import DevServer, find_binary
from intercom_connector.workflow.engines.temporal.worker import (
    WorkerSettings,
    build_workers,
    run_workers,
)

__all__ = [
    "DevServer",
    "DirectoryPayloadStore",
    "PayloadStore",
    "SealedPayloadCodec",
    "TemporalTarget",
    "TemporalUnreachable",
    "WorkerSettings",
    "build_workers",
    "connect",
    "find_binary",
    "mirror",
    "resume_run",
    "run_workers",
    "start_run",
    "start_triggered",
    "triggered_run_id",
]
