"""Secrets are masked where a run is shown, by the project's one masking rule."""

from __future__ import annotations

import pytest
from workflow_kit import new_sandbox, sandbox_client, workflow

from intercom_connector.redaction import MASK, Redactor, redact
from intercom_connector.workflow import RunLog, run_view, run_workflow

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
    return result, run_view(runlog, result.run_id)


def _text(view: dict) -> str:
    return repr(view)


async def test_the_token_is_not_in_the_database_files(leaky_run, runlog: RunLog):
    runlog.flush()
    stored = b"".join(path.read_bytes() for path in runlog.path.parent.glob("connector.db*"))
    assert b"sent with" not in stored  # the step's output is there, sealed
    assert TOKEN.encode() not in stored
    assert b"hunter2" not in stored


async def test_the_shown_run_masks_the_token_wherever_it_appears(leaky_run):
    _, view = leaky_run
    assert TOKEN not in _text(view)
    (build,) = [step for step in view["steps"] if step["step_id"] == "build"]
    assert build["output"]["note"] == "sent with ***!"


async def test_the_shown_run_masks_values_under_secret_keys(leaky_run):
    _, view = leaky_run
    (build,) = [step for step in view["steps"] if step["step_id"] == "build"]
    assert build["output"] == {
        "api_token": MASK,
        "Authorization": MASK,
        "note": "sent with ***!",
        "harmless": 42,
        "page_size": MASK,  # the token itself, masked wherever it appears
    }
    assert view["run"]["config"]["password"] == MASK


async def test_errors_are_masked_in_the_result_and_the_shown_run(leaky_run):
    result, view = leaky_run
    assert result.status == "failed"
    assert TOKEN not in result.error
    assert "per_page: expected integer, got '***'" in result.error
    assert TOKEN not in view["run"]["error"]


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (
            {"access_token": "x1", "nested": [{"client_secret": "s"}]},
            {"access_token": MASK, "nested": [{"client_secret": MASK}]},
        ),
        ({"password": None}, {"password": None}),
        ({"X-Api-Key": "k-1", "id": "abc"}, {"X-Api-Key": MASK, "id": "abc"}),
        ({"set-cookie": ["a=1", "b=2"]}, {"set-cookie": [MASK, MASK]}),
        (
            {"token_count": 5, "token_usage": {"total": 9}},
            {"token_count": 5, "token_usage": {"total": 9}},
        ),
        ("the secret-token-123 here", "the *** here"),
        (["secret-token-123-and-more"], ["***-and-more"]),
    ],
)
def test_the_redactor_masks_secret_values_and_texts_under_secret_keys(value, masked):
    assert Redactor(["secret-token-123"]).value(value) == masked


def test_a_longer_secret_is_masked_whole_before_a_shorter_one():
    assert Redactor(["abcdefgh", "abcdefghijkl"]).text("x abcdefghijkl y") == "x *** y"


@pytest.mark.parametrize("short", ["a", "ab", "tok", "1234567"])
def test_a_secret_too_short_to_be_a_token_does_not_garble_text(short):
    message = "a contact named Ada was tagged 1234567 times at token 7"
    assert Redactor([short]).text(message) == message


def test_bearer_values_are_masked_even_when_not_listed():
    assert redact("Authorization: Bearer abc.def-123 rest") == "Authorization: Bearer *** rest"
