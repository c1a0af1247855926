"""The manual-trigger examples give the same step outputs on the embedded engine and Temporal.

Each engine runs against its own sandbox server (uvicorn on a loopback port) seeded the
same way, on the same stopped clock and the same port (URLs in replies name it), so both
start from the same workspace; the debug view (each step execution's key, status and
output) must be identical. The one thing left
to chance is the order in which a parallel loop's requests reach the sandbox, which
numbers the conversation parts it creates, so those part ids are set aside.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("temporalio", reason="the [temporal] extra is not installed")

from temporal_kit import EXAMPLES, in_process_worker, run_temporal, step_outputs

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.sandbox import SandboxConfig
from intercom_connector.sandbox.config import ManualClock
from intercom_connector.sandbox.server import run_in_thread
from intercom_connector.workflow import RunLog, load_workflow, run_workflow

MANUAL_EXAMPLES = sorted(
    path for path in EXAMPLES.glob("*.yaml") if "trigger: manual" in path.read_text()
)


def _config(path: Path, tmp_path: Path) -> dict:
    if path.name == "export-download.yaml":
        return {"poll_seconds": 0.2, "download_dir": str(tmp_path / "exports")}
    return {}


def _sandbox() -> SandboxConfig:
    return SandboxConfig(seed=7, rate_limit=None, export_seconds=0.0, clock=ManualClock())


def _comparable(value: Any) -> Any:
    """The value without the ids a sandbox gives conversation parts in arrival order."""
    if isinstance(value, dict):
        return {
            key: [{**_comparable(p), "id": None} for p in item]
            if key == "conversation_parts" and isinstance(item, list)
            else _comparable(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_comparable(item) for item in value]
    return value


@pytest.mark.parametrize("path", MANUAL_EXAMPLES, ids=lambda p: p.name)
async def test_example_gives_the_same_step_outputs_on_both_engines(
    path: Path, target, runlog: RunLog, tmp_path: Path
):
    loaded = load_workflow(path)
    with run_in_thread(_sandbox()) as embedded_sandbox:
        async with AsyncIntercomClient(
            embedded_sandbox.token, base_url=embedded_sandbox.base_url
        ) as api:
            embedded = await run_workflow(
                loaded, api, runlog=runlog, config=_config(path, tmp_path)
            )
    with run_in_thread(_sandbox(), port=embedded_sandbox.port) as temporal_sandbox:
        async with (
            AsyncIntercomClient(temporal_sandbox.token, base_url=temporal_sandbox.base_url) as api,
            in_process_worker(target, api),
        ):
            temporal = await run_temporal(target, loaded, runlog, _config(path, tmp_path))
    assert embedded.succeeded, embedded.error
    assert temporal.succeeded, temporal.error
    assert _comparable(step_outputs(runlog, temporal.run_id)) == _comparable(
        step_outputs(runlog, embedded.run_id)
    )
    assert _comparable(temporal.outputs) == _comparable(embedded.outputs)
