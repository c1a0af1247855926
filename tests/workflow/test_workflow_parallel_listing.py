"""`all: true` with `parallel: N` and `updated_since` in call steps: checked when the file
loads, and run as a partitioned (or incremental) listing."""

from __future__ import annotations

import pytest
from workflow_kit import new_sandbox, problems_of_file, sandbox_client, workflow

from intercom_connector.workflow import RunLog, run_workflow

LISTING = """\
name: t
steps:
  - id: everyone
    call: list_contacts
    all: true
    parallel: 8
"""


async def test_a_parallel_listing_step_outputs_every_record_once(runlog: RunLog):
    sandbox = new_sandbox(contacts=1_200, conversations=0, rate_limit=None)
    async with sandbox_client(sandbox) as client:
        result = await run_workflow(workflow(LISTING), client, runlog=runlog)

    assert result.succeeded, result.error
    ids = [c["id"] for c in result.outputs["everyone"]["data"]]
    assert len(ids) == len(set(ids)) == 1_200
    assert sum(r.path == "/contacts/search" for r in sandbox.requests) > 8


async def test_an_incremental_step_outputs_only_what_changed_since(runlog: RunLog):
    sandbox = new_sandbox(contacts=800, conversations=0, rate_limit=None)
    since = sandbox.config.seed_epoch - 30 * 86_400
    text = LISTING + f"    updated_since: {since}\n"
    async with sandbox_client(sandbox) as client:
        result = await run_workflow(workflow(text), client, runlog=runlog)

    assert result.succeeded, result.error
    store = sandbox.state.contacts
    expected = {store.id_of(c) for c in store.listable() if c.updated_at >= since}
    assert {c["id"] for c in result.outputs["everyone"]["data"]} == expected


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        (
            "    parallel: 4\n",
            "bad.yaml:5: step 'a', field 'parallel': parallel applies to listings: add all: true",
        ),
        ("    all: true\n    parallel: 0\n", "bad.yaml:6: step 'a', field 'parallel'"),
        ("    all: true\n    parallel: 500\n", "bad.yaml:6: step 'a', field 'parallel'"),
        (
            "    all: true\n    updated_since: soon\n",
            "bad.yaml:6: step 'a', field 'updated_since': updated_since expects",
        ),
    ],
)
def test_listing_options_are_checked_when_the_file_loads(tmp_path, step, expected):
    text = "name: t\nsteps:\n  - id: a\n    call: list_contacts\n" + step

    messages = problems_of_file(tmp_path, text)

    assert any(message.startswith(expected) for message in messages), messages
