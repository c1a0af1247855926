"""Secrets never reach the run log: not the token, not values under secret-looking keys."""

from __future__ import annotations

import pytest
from workflow_kit import new_sandbox, sandbox_client, workflow

from intercom_connector.workflow import Redactor, RunLog, run_workflow

TOKEN = "tok_live_0123456789abcdef"

LEAKY = """
name: leaky
config:
  password: hunter2-hunter2
  note_prefix: "sent with tok_live_0123456789abcdef"
  page_size: tok_live_0123456789abcdef
steps:
  - id: build
    map:
      api_token: $.config.password
      Authorization: Bearer abc
      note: "{$.config.note_prefix}!"
      harmless: 42
      page_size: $.config.page_size
  - id: list-contacts
    call: list_contacts
    input: {per_page: $.steps.build.page_size}
"""


@pytest.fixture
async def leaky_run(runlog: RunLog):
    sandbox = new_sandbox(token=TOKEN)
    async with sandbox_client(sandbox) as client:
        result = await run_workflow(workflow(LEAKY), client, runlog=runlog, secrets=[TOKEN])
    rows = runlog._db.execute(
        "SELECT data FROM workflow_run_events WHERE run_id = ?", (result.run_id,)
    ).fetchall()
    return result, "\n".join(row[0] or "" for row in rows)


async def test_the_token_appears_nowhere_in_the_log(leaky_run):
    _, stored = leaky_run
    assert TOKEN not in stored
    assert "sent with ***" in stored


async def test_values_under_secret_keys_are_masked(leaky_run):
    _, stored = leaky_run
    assert "hunter2" not in stored
    assert "Bearer abc" not in stored
    assert '"harmless":42' in stored


async def test_errors_are_redacted_in_the_log_and_the_result(leaky_run):
    result, _ = leaky_run
    assert result.status == "failed"
    assert TOKEN not in result.error
    assert "per_page: expected integer, got '***'" in result.error


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (
            {"access_token": "x1", "nested": [{"client_secret": "s"}]},
            {"access_token": "***", "nested": [{"client_secret": "***"}]},
        ),
        ({"password": None}, {"password": None}),
        ({"X-Api-Key": 5, "id": "abc"}, {"X-Api-Key": "***", "id": "abc"}),
        ("the secret-token-123 here", "the *** here"),
        (["secret-token-123-and-more"], ["***-and-more"]),
    ],
)
def test_redactor_masks_secret_values_and_secret_keys(value, masked):
    too_short_to_be_a_secret = "ab"
    assert Redactor(["secret-token-123", too_short_to_be_a_secret]).value(value) == masked


def test_redactor_masks_a_longer_secret_whole_before_a_shorter_one():
    assert Redactor(["abcd", "abcdefgh"]).text("x abcdefgh y") == "x *** y"
