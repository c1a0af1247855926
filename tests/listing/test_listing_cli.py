"""`call --all --parallel N`, `--order`, `--updated-since` and `--state` from the shell."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from intercom_connector.cli import app


@pytest.fixture
def cli(monkeypatch, tmp_path):
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INTERCOM_TOKEN", raising=False)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, ["call", *args, "--sandbox", "-o", "ndjson"])

    return invoke


def _ids(result) -> list[str]:
    return [json.loads(line)["id"] for line in result.stdout.splitlines() if line.strip()]


@pytest.mark.parametrize("order", ["api", "any"])
def test_parallel_listing_streams_the_same_records_as_a_sequential_one(cli, order):
    sequential = cli("list_contacts", "--all")
    parallel = cli("list_contacts", "--all", "--parallel", "8", "--order", order)

    assert parallel.exit_code == 0, parallel.output
    assert sorted(_ids(parallel)) == sorted(_ids(sequential))
    if order == "api":
        assert _ids(parallel) == _ids(sequential)


def test_updated_since_and_state_write_the_high_water_mark(cli, tmp_path):
    state = tmp_path / "nightly.json"

    result = cli(
        "list_contacts", "--all", "--updated-since", "2024-10-01T00:00:00Z", "--state", str(state)
    )

    assert result.exit_code == 0, result.output
    assert 0 < len(_ids(result)) < 100
    assert json.loads(state.read_text())["operation"] == "list_contacts"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("list_contacts", "--parallel", "4"), "--parallel applies to listings: add --all"),
        (("list_contacts", "--state", "s.json"), "--state applies to listings"),
        (("list_macros", "--all", "--updated-since", "1d"), "list_macros cannot filter"),
        (("list_contacts", "--all", "--updated-since", "soon"), "duration such as 24h"),
    ],
)
def test_listing_flags_used_wrongly_are_usage_errors(cli, args, message):
    result = cli(*args)

    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
