"""The workflow commands: run, runs list|show|resume, workflow schema|validate; exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from rich.console import Console
from typer.testing import CliRunner
from workflow_kit import EXAMPLES, cli_app

from intercom_connector.cli.workflow_commands import run_workflow_file, show_run

FAILING = """\
name: failing
steps:
  - id: loop-1
    loop: {list: [no-such-contact]}
    steps:
      - id: list-attached-companies
        call: list_attached_companies
        input: {contact_id: $.steps.loop-1.value}
"""


@pytest.fixture
def cli(home):
    runner = CliRunner()
    app = cli_app()

    def invoke(*args: str):
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def failing_file(tmp_path: Path) -> Path:
    path = tmp_path / "failing.yaml"
    path.write_text(FAILING, encoding="utf-8")
    return path


def test_failed_run_exits_4_naming_the_step_and_its_loop_path(cli, failing_file):
    result = cli("run", str(failing_file), "--sandbox", "--quiet")
    assert result.exit_code == 4
    assert result.stdout.strip()  # the run id, to show it
    assert (
        "error (run failed): step 'list-attached-companies' "
        "(loop-1[0].list-attached-companies) failed: NotFound" in result.stderr
    )
    assert "intercom-connector runs show" in result.stderr


def test_invalid_file_exits_2_before_anything_runs(cli, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: t\nsteps:\n  - {id: a, call: list_contact}\n")
    result = cli("run", str(path), "--sandbox")
    assert result.exit_code == 2
    assert f"{path}:3: step 'a', field 'call': unknown operation 'list_contact'" in result.stderr
    assert cli("runs", "list", "-o", "json").stdout.strip() == "[]"


def test_config_must_be_key_equals_value(cli):
    result = cli("run", str(EXAMPLES / "contacts-companies.yaml"), "--sandbox", "-c", "per_page")
    assert result.exit_code == 2
    assert "--config expects key=value" in result.stderr


def test_config_values_are_json_when_they_parse(cli):
    ran = cli("run", str(EXAMPLES / "contacts-companies.yaml"), "--sandbox", "-c", "per_page=3")
    assert ran.exit_code == 0
    view = json.loads(cli("runs", "show", "last", "-o", "json", "--step", "list-contacts").stdout)
    assert view["run"]["config"] == {"per_page": 3}
    assert view["steps"][0]["input"]["input"] == {"per_page": 3}


def test_the_workflows_authentication_is_used_when_no_connection_is_given(cli, tmp_path):
    path = tmp_path / "auth.yaml"
    path.write_text("name: t\nauthentication: nobody-has-this\nsteps:\n  - {id: a, map: {}}\n")
    result = cli("run", str(path))
    assert result.exit_code == 3
    assert "nobody-has-this" in result.stderr


def test_runs_list_shows_the_newest_run_first(cli, failing_file):
    cli("run", str(EXAMPLES / "contacts-companies.yaml"), "--sandbox", "--quiet")
    cli("run", str(failing_file), "--sandbox", "--quiet")
    rows = json.loads(cli("runs", "list", "-o", "json").stdout)
    assert [(r["workflow"], r["status"]) for r in rows] == [
        ("failing", "failed"),
        ("Companies of the listed contacts", "succeeded"),
    ]
    text = cli("runs", "list").stdout
    assert text.index("failing") < text.index("Companies of the listed contacts")


def test_runs_show_of_an_unknown_run_exits_2(cli):
    result = cli("runs", "show", "no-such-run")
    assert result.exit_code == 2
    assert "no workflow has run yet" in cli("runs", "show", "last").stderr


def test_run_with_show_prints_the_debug_view(cli):
    result = cli(
        "run", str(EXAMPLES / "contacts-companies.yaml"), "--sandbox", "--show", "-c", "per_page=2"
    )
    assert result.exit_code == 0
    assert "loop-1[1].list-attached-companies" in result.stdout
    assert "Companies of the listed contacts  succeeded" in result.stdout


def test_runs_resume_continues_a_failed_run(cli, failing_file):
    cli("run", str(failing_file), "--sandbox", "--quiet")
    result = cli("runs", "resume", "last", "--quiet")
    assert result.exit_code == 4  # the contact is still missing: the same step fails again
    view = json.loads(cli("runs", "show", "last", "--json").stdout)
    assert view["run"]["attempts"] == 2
    assert view["steps"][-1]["attempts"] == 2


def test_workflow_schema_is_a_valid_json_schema(cli, tmp_path):
    printed = json.loads(cli("workflow", "schema").stdout)
    Draft202012Validator.check_schema(printed)
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    target = tmp_path / "workflow.schema.json"
    cli("workflow", "schema", "--output", str(target))
    assert json.loads(target.read_text()) == printed


def test_workflow_validate_checks_files_without_running_them(cli, tmp_path):
    good = cli("workflow", "validate", *[str(p) for p in sorted(EXAMPLES.glob("*.yaml"))])
    assert good.exit_code == 0
    assert "contacts-companies.yaml: valid (4 steps)" in good.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: t\nsteps:\n  - {id: a, delay: soon}\n")
    result = cli("workflow", "validate", str(bad))
    assert result.exit_code == 2
    assert "field 'delay': 'soon' is not a duration" in result.stderr


def test_demo_helpers_run_a_file_on_the_sandbox_and_show_it(home):
    run_id = run_workflow_file(EXAMPLES / "contacts-companies.yaml", sandbox=True)
    out = io.StringIO()
    show_run(run_id, console=Console(file=out, width=120))
    assert f"run {run_id}" in out.getvalue()
    assert "✓   loop-1[49].list-attached-companies" in out.getvalue()
