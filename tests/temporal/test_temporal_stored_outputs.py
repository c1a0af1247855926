"""Large call outputs stay out of workflow code: markers in Temporal, outputs in the store."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest

pytest.importorskip("temporalio", reason="the [temporal] extra is not installed")

from hypothesis import given
from hypothesis import strategies as st
from temporal_kit import EXAMPLES, in_process_worker, run_temporal, step_outputs, workflow

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.sandbox import SandboxConfig
from intercom_connector.sandbox.config import ManualClock
from intercom_connector.sandbox.server import run_in_thread
from intercom_connector.workflow import RunLog, load_workflow, run_workflow
from intercom_connector.workflow.engines.temporal import connect
from intercom_connector.workflow.engines.temporal.stored_outputs import (
    STORED,
    StoredOutput,
    StoredOutputUnreadable,
    dumps,
    expand,
    expand_value,
    loads,
    register_reader,
    with_markers,
)

REFERENCE = "ab" * 32
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def test_writing_workflow_data_leaves_a_stored_output_unread():
    stored = StoredOutput(REFERENCE, 12_000_000)  # no reader: reading it would raise
    text = dumps({"contacts": stored, "later": [{"copy": stored}]})
    assert json.loads(text) == {
        "contacts": {STORED: REFERENCE, "bytes": 12_000_000},
        "later": [{"copy": {STORED: REFERENCE, "bytes": 12_000_000}}],
    }
    assert with_markers({"body": [stored]}) == {"body": [stored.marker()]}
    back = loads(text)
    assert isinstance(back["contacts"], StoredOutput)
    assert back["later"][0]["copy"].reference == REFERENCE


def test_workflow_code_without_a_reader_gets_a_clear_error_not_a_guess():
    with pytest.raises(StoredOutputUnreadable, match="no worker of this process"):
        StoredOutput(REFERENCE, 10)["data"]


@given(json_values, json_values)
def test_the_starter_gets_back_exactly_what_was_stored(value, around):
    async def fetch(reference: str) -> bytes:
        assert reference == REFERENCE
        return json.dumps(value).encode()

    text = dumps({"before": around, "output": StoredOutput(REFERENCE, 1), "list": [around]})
    expanded = asyncio.run(expand(text, fetch))
    assert expanded == {"before": around, "output": value, "list": [around]}
    marked = {"input": {STORED: REFERENCE, "bytes": 1}, "other": around}
    assert asyncio.run(expand_value(marked, fetch)) == {"input": value, "other": around}


async def test_a_stored_output_is_read_once_through_a_registered_reader():
    reads: list[str] = []

    async def fetch(reference: str) -> bytes:
        reads.append(reference)
        return b'{"type": "list", "data": [1, 2, 3]}'

    unregister = register_reader(fetch, asyncio.get_running_loop())
    try:
        stored = StoredOutput(REFERENCE, 36)
        # workflow code runs in a thread of its own while the worker's loop serves the read
        data, length = await asyncio.to_thread(lambda: (stored["data"], len(stored)))
        assert (data, length) == ([1, 2, 3], 2)
        assert stored == {"type": "list", "data": [1, 2, 3]}
        assert reads == [REFERENCE]
    finally:
        unregister()


def _sandbox(**options) -> SandboxConfig:
    return SandboxConfig(seed=7, rate_limit=None, clock=ManualClock(), **options)


async def test_a_listing_over_the_threshold_is_looped_over_with_the_same_outputs_as_embedded(
    target, runlog: RunLog
):
    """contacts-companies reads inside the stored listing (its loop); the results match."""
    small = dataclasses.replace(target, payload_threshold=2_048)
    loaded = load_workflow(EXAMPLES / "contacts-companies.yaml")
    with run_in_thread(_sandbox(contacts=60)) as sandbox:
        async with AsyncIntercomClient(sandbox.token, base_url=sandbox.base_url) as api:
            embedded = await run_workflow(loaded, api, runlog=runlog)
    with run_in_thread(_sandbox(contacts=60), port=sandbox.port) as sandbox:
        async with (
            AsyncIntercomClient(sandbox.token, base_url=sandbox.base_url) as api,
            in_process_worker(small, api),
        ):
            temporal = await run_temporal(small, loaded, runlog)
    assert temporal.succeeded, temporal.error
    assert temporal.outputs == embedded.outputs
    assert step_outputs(runlog, temporal.run_id) == step_outputs(runlog, embedded.run_id)
    assert len(temporal.outputs["list-contacts"]["data"]) == 50  # its one page
    assert any(STORED in text for text in await _history_results(small, temporal.run_id))


PASS_IT_ON = """
    name: Pass it on
    trigger: manual
    steps:
      - id: contacts
        call: List contacts
        all: true
        input: {per_page: 50}
      - id: kept
        map:
          listing: $.steps.contacts
          count: $.steps.contacts.total_count
"""


async def test_workflow_history_holds_markers_and_the_run_log_holds_the_outputs(
    target, runlog: RunLog
):
    small = dataclasses.replace(target, payload_threshold=2_048)
    with run_in_thread(_sandbox(contacts=120)) as sandbox:
        async with (
            AsyncIntercomClient(sandbox.token, base_url=sandbox.base_url) as api,
            in_process_worker(small, api),
        ):
            result = await run_temporal(small, workflow(PASS_IT_ON), runlog)
    assert result.succeeded, result.error
    listing = result.outputs["contacts"]
    assert len(listing["data"]) == 120
    assert result.outputs["kept"] == {"listing": listing, "count": 120}
    assert step_outputs(runlog, result.run_id)["kept"] == ("finished", result.outputs["kept"])

    decoded = await _history_results(small, result.run_id)
    assert decoded, "the history has no activity or workflow result"
    assert any(STORED in text for text in decoded)
    emails = [c["email"] for c in listing["data"] if c.get("email")]
    assert not any(email in text for text in decoded for email in emails[:20])


async def _history_results(target, run_id: str) -> list[str]:
    """The results the workflow received from its activities and returned, decoded."""
    client = await connect(target)
    history = await client.get_workflow_handle(run_id).fetch_history()
    decoded: list[str] = []
    for event in history.events:
        for attributes in (
            event.activity_task_completed_event_attributes,
            event.workflow_execution_completed_event_attributes,
        ):
            if attributes.HasField("result"):
                values = await client.data_converter.decode(attributes.result.payloads)
                decoded += [json.dumps(value) for value in values]
    return decoded
