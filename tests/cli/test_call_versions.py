"""`call --intercom-version` warns when the version predates the operation."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from intercom_connector.cli import app


@pytest.fixture
def cli(monkeypatch, tmp_path):
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INTERCOM_TOKEN", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args), catch_exceptions=False)


def test_a_version_without_the_operation_is_warned_about_and_answers_404(cli):
    result = cli("call", "list_data_connectors", "--intercom-version", "2.7", "--sandbox")
    assert "warning: list_data_connectors is not in Intercom-Version 2.7" in result.stderr
    assert result.exit_code == 1
    assert "404" in result.stderr or "not_found" in result.stderr.lower()


def test_a_version_with_the_operation_gets_no_warning(cli):
    result = cli(
        "call", "list_contacts", "-p", "per_page=1", "--intercom-version", "2.7", "--sandbox"
    )
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr
