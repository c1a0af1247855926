"""`runs show RUN --summary`: a run at a glance in 80 columns, loops folded, the result shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from intercom_connector.cli import app

EXAMPLES = Path(__file__).parents[2] / "examples"
FAILING = """\
name: Fails in a loop
trigger: manual
steps:
  - id: list-contacts
    call: list_contacts
    input: {per_page: 3}
  - id: loop-1
    loop:
      list: $.steps.list-contacts.data
    steps:
      - id: get-missing
        call: get_contact
        input:
          contact_id: no-such-contact
"""


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INTERCOM_TOKEN", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args), catch_exceptions=False)


def _summary(cli, workflow: Path, code: int = 0) -> list[str]:
    ran = cli("run", str(workflow), "--sandbox", "--quiet")
    assert ran.exit_code == code, ran.output
    shown = cli("runs", "show", ran.stdout.strip(), "--summary")
    assert shown.exit_code == 0, shown.output
    return shown.stdout.splitlines()


def test_a_loop_of_fifty_is_one_line_and_its_inner_step_another(cli):
    lines = _summary(cli, EXAMPLES / "contacts-companies.yaml")

    assert any(line.startswith("loop-1 \u00d750 \u2713") for line in lines)
    assert any(line.startswith("  list-attached-companies \u00d750 \u2713") for line in lines)
    assert not any("loop-1[" in line for line in lines)


def test_the_summary_ends_with_the_final_result(cli):
    lines = _summary(cli, EXAMPLES / "contacts-companies.yaml")

    result = lines.index("result (company-names):")
    assert '    "contacts": 50,' in lines[result:]


def test_every_line_fits_in_80_columns(cli):
    lines = _summary(cli, EXAMPLES / "contacts-companies.yaml")

    assert max(len(line) for line in lines) <= 80
    assert len(lines) < 40


def test_a_failed_run_says_how_many_executions_failed_and_why(cli, tmp_path):
    workflow = tmp_path / "failing.yaml"
    workflow.write_text(FAILING, encoding="utf-8")

    lines = _summary(cli, workflow, code=4)

    assert any(line.startswith("loop-1 \u2717") for line in lines)
    assert any("get-missing" in line and "1 failed" in line for line in lines)
    assert any(line.startswith("error: ") for line in lines)
    assert not any(line.startswith("result") for line in lines)


def test_the_export_example_writes_under_the_connector_home(cli, tmp_path, monkeypatch):
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    monkeypatch.chdir(checkout)

    ran = cli(
        "run",
        str(EXAMPLES / "export-download.yaml"),
        "--sandbox",
        "--quiet",
        "--config",
        "poll_seconds=0.2",
    )

    assert ran.exit_code == 0, ran.output
    assert list((tmp_path / "home" / "exports").glob("intercom-export-*.csv.gz"))
    assert list(checkout.iterdir()) == []
