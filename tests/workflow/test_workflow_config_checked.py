"""`--config` values are checked against where they are used before anything runs."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner
from workflow_kit import EXAMPLES, cli_app


@pytest.fixture
def cli(home):
    runner = CliRunner()
    app = cli_app()
    return lambda *args: runner.invoke(app, list(args), catch_exceptions=False)


def test_a_config_value_of_the_wrong_type_exits_2_before_the_run(cli):
    result = cli(
        "run", str(EXAMPLES / "contacts-companies.yaml"), "--sandbox", "-c", "per_page=abc"
    )
    assert result.exit_code == 2
    assert "with --config: $.config.per_page gives a string" in result.stderr
    assert result.stdout == ""  # no run id: nothing ran


def test_a_config_value_of_the_right_type_runs(cli):
    result = cli(
        "run", str(EXAMPLES / "contacts-companies.yaml"), "--sandbox", "--quiet", "-c", "per_page=5"
    )
    assert result.exit_code == 0, result.stderr
