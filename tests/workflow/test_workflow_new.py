"""`workflow new` writes a starting file, valid as written, that points editors at the schema."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner
from workflow_kit import cli_app

from intercom_connector.catalog.registry import load_catalog
from intercom_connector.cli import new_workflow_commands
from intercom_connector.workflow import load_workflow
from intercom_connector.workflow.starter import starter_text


@pytest.fixture
def cli(home):
    runner = CliRunner()
    app = cli_app()
    return lambda *args, **kw: runner.invoke(app, list(args), catch_exceptions=False, **kw)


@pytest.mark.parametrize("trigger", ["manual", "webhook", "schedule"])
def test_a_new_workflow_is_valid_as_written(cli, tmp_path, trigger):
    path = tmp_path / "flows" / "tag-new-contacts.yaml"
    result = cli(
        "workflow", "new", str(path), "--trigger", trigger, "--call", "attach_tag_to_contact"
    )
    assert result.exit_code == 0, result.stderr
    loaded = load_workflow(path)
    assert loaded.workflow.trigger.kind == trigger
    assert loaded.workflow.name == "Tag new contacts"
    assert (
        path.read_text().splitlines()[0] == "# yaml-language-server: $schema=workflow.schema.json"
    )


def test_a_webhook_starter_reads_the_notification_item(tmp_path):
    text = starter_text(
        load_catalog(),
        name="n",
        trigger="webhook",
        operation="Create note",
        topic="contact.user.created",
    )
    assert "contact_id: $.steps.trigger.data.item.id" in text


def test_the_editor_schema_is_written_beside_the_new_file(cli, tmp_path):
    cli(
        "workflow",
        "new",
        str(tmp_path / "a.yaml"),
        "--trigger",
        "manual",
        "--call",
        "list_contacts",
    )
    schema = json.loads((tmp_path / "workflow.schema.json").read_text())
    assert "list_contacts" in schema["$defs"]["CallStep"]["properties"]["call"]["enum"]


def test_answers_are_asked_for_on_a_terminal(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(new_workflow_commands, "_interactive", lambda: True)
    path = tmp_path / "asked.yaml"
    result = cli("workflow", "new", str(path), input="schedule\nlist_admins\n")
    assert result.exit_code == 0, result.stderr
    workflow = load_workflow(path).workflow
    assert workflow.trigger.kind == "schedule"
    assert workflow.steps[0].call == "list_admins"


def test_without_a_terminal_the_defaults_are_used(cli, tmp_path):
    path = tmp_path / "plain.yaml"
    assert cli("workflow", "new", str(path)).exit_code == 0
    workflow = load_workflow(path).workflow
    assert workflow.trigger.kind == "manual" and workflow.steps[0].call == "identify_admin"


def test_an_existing_file_is_kept_unless_forced(cli, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("keep me")
    result = cli("workflow", "new", str(path), "--call", "list_contacts")
    assert result.exit_code == 2 and path.read_text() == "keep me"
    assert cli("workflow", "new", str(path), "--call", "list_contacts", "--force").exit_code == 0


def test_an_unknown_operation_is_refused_with_suggestions(cli, tmp_path):
    result = cli("workflow", "new", str(tmp_path / "x.yaml"), "--call", "list_contactz")
    assert result.exit_code == 2
    assert "did you mean list_contacts" in result.stderr
    assert not (tmp_path / "x.yaml").exists()
