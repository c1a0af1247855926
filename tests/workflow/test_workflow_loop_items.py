"""A loop's items are logged once: iteration starts refer to the output the list came from.

What a reader of the log sees does not change (``{"index", "value"}`` per iteration); what
the log stores does, for lists that are plain paths into a top-level call's output.
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from workflow_kit import new_sandbox, sandbox_client, workflow

from intercom_connector.workflow import RunLog, run_workflow
from intercom_connector.workflow.loop_items import iteration_start, recorded_list, restore_items
from intercom_connector.workflow.runlog import STEP_STARTED, StepRecord
from intercom_connector.workflow.sealing import decode, encode

LOOP_OVER_A_LISTING = """
name: companies of contacts
config: {emails: [a@example.com, b@example.com]}
steps:
  - id: contacts
    call: list_contacts
    input: {per_page: 5}
  - id: each
    loop: {list: $.steps.contacts.data, parallel: 2}
    steps:
      - id: companies
        call: list_attached_companies
        input: {contact_id: $.steps.each.value.id}
  - id: each-email
    loop: {list: $.config.emails}
    steps:
      - id: seen
        map: {email: $.steps.each-email.value}
"""


async def _run(runlog: RunLog):
    async with sandbox_client(new_sandbox()) as client:
        result = await run_workflow(workflow(LOOP_OVER_A_LISTING), client, runlog=runlog)
    assert result.succeeded, result.error
    return result


async def test_iterations_over_a_listing_store_a_reference_not_the_record(runlog: RunLog):
    result = await _run(runlog)
    starts = {e.key: e.data for e in runlog.events(result.run_id, (STEP_STARTED,))}
    assert starts["each[0]"] == {"index": 0, "value_at": ["contacts", "data"]}
    assert starts["each[4]"] == {"index": 4, "value_at": ["contacts", "data"]}


async def test_readers_of_the_log_still_see_each_iterations_item(runlog: RunLog):
    result = await _run(runlog)
    records = {r.key: r for r in runlog.steps(result.run_id)}
    listed = records["contacts"].output["data"]
    assert [records[f"each[{i}]"].input for i in range(5)] == [
        {"index": i, "value": contact} for i, contact in enumerate(listed)
    ]


async def test_a_list_from_config_is_still_copied_into_each_iteration(runlog: RunLog):
    result = await _run(runlog)
    starts = {e.key: e.data for e in runlog.events(result.run_id, (STEP_STARTED,))}
    assert starts["each-email[1]"] == {"index": 1, "value": "b@example.com"}


def test_only_plain_paths_into_recorded_steps_become_references():
    recorded = {"contacts"}
    assert recorded_list("$.steps.contacts.data", recorded) == ["contacts", "data"]
    assert recorded_list("$.steps['contacts'].data.items", recorded) == [
        "contacts",
        "data",
        "items",
    ]
    assert recorded_list("$.steps.contacts", recorded) == ["contacts"]
    for copied in (
        "$.steps.contacts.data[*].companies",
        "$.steps.contacts.data[0].tags",
        "$.steps.contacts.data[?@.role == 'user']",
        "$.steps.other.data",
        "$.config.emails",
        ["literal"],
    ):
        assert recorded_list(copied, recorded) is None, copied


def test_a_reference_that_leads_nowhere_is_shown_as_it_is():
    source = StepRecord("contacts", "contacts", "call", status="finished", output={"data": []})
    iteration = StepRecord(
        "each[3]", "each", "iteration", input=iteration_start(3, None, ["contacts", "data"])
    )
    restore_items({"contacts": source, "each[3]": iteration})
    assert iteration.input == {"index": 3, "value_at": ["contacts", "data"]}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@given(
    items=st.lists(json_values, min_size=1, max_size=6),
    keys=st.lists(st.text(min_size=1), min_size=1, max_size=3),
)
def test_restored_items_are_exactly_the_items_after_sealing(items, keys):
    output: object = items
    for key in reversed(keys):
        output = {key: output}
    sealed_output = decode(encode(output))
    source = StepRecord("src", "src", "call", status="finished", output=sealed_output)
    iterations = {
        f"loop[{i}]": StepRecord(
            f"loop[{i}]",
            "loop",
            "iteration",
            input=decode(encode(iteration_start(i, v, ["src", *keys]))),
        )
        for i, v in enumerate(items)
    }
    restore_items({"src": source, **iterations})
    restored = [iterations[f"loop[{i}]"].input for i in range(len(items))]
    assert json.dumps(restored) == json.dumps(
        [{"index": i, "value": v} for i, v in enumerate(items)]
    )
