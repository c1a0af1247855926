"""Webhook and schedule workflows tried locally: `run --event`, `run --now`, `webhook sample`.

A triggered workflow run without its event is refused before any client opens, so the
sandbox's request log stays empty; with a sampled notification it runs once against the
sandbox, whose seeded objects the sample's item comes from.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner
from workflow_kit import EXAMPLES, new_sandbox

from intercom_connector.cli import app
from intercom_connector.sandbox.server import run_in_thread
from intercom_connector.workflow import RunLog, load_workflow

WEBHOOK_EXAMPLES = sorted(
    path
    for path in EXAMPLES.glob("*.yaml")
    if load_workflow(path).workflow.trigger.kind == "webhook"
)
TAG_CLOSED = EXAMPLES / "webhook-tag-closed-conversations.yaml"
NIGHTLY = EXAMPLES / "schedule-nightly-export.yaml"


@pytest.fixture
def cli(home):
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args), catch_exceptions=False)


def _sample(cli, topic: str, target: Path) -> dict:
    result = cli("webhook", "sample", topic, "--output", str(target))
    assert result.exit_code == 0, result.stderr
    return json.loads(target.read_text(encoding="utf-8"))


def _steps(run_id: str) -> dict:
    with RunLog() as log:
        return {record.key: record for record in log.steps(run_id)}


def test_there_are_webhook_examples_to_try():
    assert len(WEBHOOK_EXAMPLES) >= 2


@pytest.mark.parametrize("path", WEBHOOK_EXAMPLES, ids=lambda p: p.name)
def test_run_with_a_sampled_event_succeeds_against_the_sandbox(cli, tmp_path, path):
    topic = load_workflow(path).workflow.trigger.webhook.topics[0]
    event = _sample(cli, topic, tmp_path / "event.json")
    result = cli("run", str(path), "--sandbox", "--quiet", "--event", str(tmp_path / "event.json"))
    assert result.exit_code == 0, result.stderr
    steps = _steps(result.stdout.strip())
    assert steps["trigger"].output["id"] == event["id"]
    assert steps["trigger"].output["data"]["item"]["id"] == event["data"]["item"]["id"]
    assert all(record.status == "finished" for record in steps.values())


@pytest.mark.parametrize("path", [*WEBHOOK_EXAMPLES, NIGHTLY], ids=lambda p: p.name)
def test_run_of_a_trigger_workflow_without_its_event_sends_no_request(cli, path):
    sandbox = new_sandbox()
    with run_in_thread(sandbox) as handle:
        result = cli("run", str(path), "--base-url", handle.base_url, "--token", sandbox.token)
    assert result.exit_code == 2
    assert f"intercom-connector serve {path}" in result.stderr
    assert ("--event FILE" in result.stderr) or ("--now" in result.stderr)
    assert len(sandbox.requests) == 0
    assert result.stdout == ""


def test_an_event_whose_topic_does_not_start_the_workflow_is_refused(cli, tmp_path):
    _sample(cli, "contact.user.created", tmp_path / "event.json")
    result = cli("run", str(TAG_CLOSED), "--sandbox", "--event", str(tmp_path / "event.json"))
    assert result.exit_code == 2
    assert "--event has topic 'contact.user.created', which does not start" in result.stderr


def test_an_event_that_is_not_a_notification_is_refused(cli, tmp_path):
    (tmp_path / "event.json").write_text('{"topic": "conversation.admin.closed"}')
    result = cli("run", str(TAG_CLOSED), "--sandbox", "--event", str(tmp_path / "event.json"))
    assert result.exit_code == 2
    assert "--event is not an Intercom notification" in result.stderr


def test_an_event_file_that_is_not_json_is_refused(cli, tmp_path):
    (tmp_path / "event.json").write_text("{nope")
    result = cli("run", str(TAG_CLOSED), "--sandbox", "--event", str(tmp_path / "event.json"))
    assert result.exit_code == 2
    assert "not JSON" in result.stderr


def test_now_is_refused_for_a_webhook_workflow(cli):
    result = cli("run", str(TAG_CLOSED), "--sandbox", "--now")
    assert result.exit_code == 2
    assert "not a schedule" in result.stderr


def test_event_is_refused_for_a_manual_workflow(cli, tmp_path):
    _sample(cli, "contact.user.created", tmp_path / "event.json")
    manual = EXAMPLES / "contacts-companies.yaml"
    result = cli("run", str(manual), "--sandbox", "--event", str(tmp_path / "event.json"))
    assert result.exit_code == 2
    assert "has a manual trigger" in result.stderr


def test_a_schedule_workflow_runs_once_for_its_latest_slot_with_now(cli, tmp_path):
    result = cli(
        "run", str(NIGHTLY), "--sandbox", "--quiet", "--now",
        "-c", "poll_seconds=0.5", "-c", f"download_dir={tmp_path}",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    steps = _steps(result.stdout.strip())
    trigger = steps["trigger"].output
    assert trigger["type"] == "schedule"
    assert trigger["previous_at_unix"] < trigger["scheduled_at_unix"] <= trigger["fired_at_unix"]
    created = steps["create-export-job"].input["input"]
    assert created == {
        "created_at_after": trigger["previous_at_unix"],
        "created_at_before": trigger["scheduled_at_unix"],
    }


def test_webhook_sample_is_shaped_like_an_intercom_notification(cli):
    result = cli("webhook", "sample", "conversation.admin.closed")
    assert result.exit_code == 0, result.stderr
    notification = json.loads(result.stdout)
    assert notification["type"] == "notification_event"
    assert notification["id"].startswith("notif_")
    assert notification["topic"] == "conversation.admin.closed"
    assert {"app_id", "created_at", "delivery_attempts", "first_sent_at"} <= set(notification)
    assert notification["data"]["type"] == "notification_event_data"
    assert notification["data"]["item"]["type"] == "conversation"


def test_a_contact_tag_topic_samples_a_tag_applied_to_a_contact(cli):
    item = json.loads(cli("webhook", "sample", "contact.user.tag.created").stdout)["data"]["item"]
    assert item["type"] == "contact_tag"
    assert item["tag"]["type"] == "tag" and item["contact"]["type"] == "contact"


def test_a_wildcard_topic_cannot_be_sampled(cli):
    result = cli("webhook", "sample", "contact.*.created")
    assert result.exit_code == 2
    assert "without wildcards" in result.stderr


def test_an_event_with_fields_beyond_the_envelope_still_runs(cli, tmp_path):
    event = _sample(cli, "conversation.admin.closed", tmp_path / "event.json")
    event["metadata_from_a_newer_api"] = {"x": 1}
    (tmp_path / "event.json").write_text(json.dumps(event))
    result = cli(
        "run", str(TAG_CLOSED), "--sandbox", "--quiet", "--event", str(tmp_path / "event.json")
    )
    assert result.exit_code == 0, result.stderr
    assert _steps(result.stdout.strip())["trigger"].output["metadata_from_a_newer_api"] == {"x": 1}
