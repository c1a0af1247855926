"""``intercom-connector sandbox serve`` options."""

from __future__ import annotations

import socket

import pytest
import typer
from typer.testing import CliRunner

from intercom_connector.cli import sandbox_commands
from intercom_connector.cli.sandbox_commands import config_from_options, parse_latency, sandbox_app
from intercom_connector.sandbox import Sandbox


def test_latency_accepts_a_number_or_a_range() -> None:
    assert parse_latency("0.05") == 0.05
    assert parse_latency("0.01-0.1") == (0.01, 0.1)


def test_bad_latency_is_a_usage_error() -> None:
    with pytest.raises(typer.BadParameter):
        parse_latency("fast")


def test_options_become_a_config() -> None:
    config = config_from_options(
        token="t", seed=3, contacts=10, rate_limit=50, error_rate=0.1, export_seconds=1
    )
    assert (config.token, config.seed, config.contacts) == ("t", 3, 10)
    assert (config.rate_limit, config.error_rate, config.export_seconds) == (50, 0.1, 1)


def test_throttle_rate_option_reaches_the_config() -> None:
    assert config_from_options(throttle_rate=0.05).throttle_rate == 0.05


def test_rate_limit_zero_means_unlimited() -> None:
    assert config_from_options(rate_limit=0).rate_limit is None


def test_invalid_rates_are_usage_errors() -> None:
    with pytest.raises(typer.BadParameter):
        config_from_options(error_rate=2.0)


def test_serve_prints_url_and_token_and_binds_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Sandbox, str, int]] = []

    def serve(sandbox: Sandbox, host: str, port: int, sock: socket.socket) -> None:
        calls.append((sandbox, host, port))
        sock.close()

    monkeypatch.setattr(sandbox_commands.sandbox_server, "serve", serve)
    result = CliRunner().invoke(sandbox_app, ["serve", "--port", "0", "--token", "tok"])
    assert result.exit_code == 0, result.output
    sandbox, host, port = calls[0]
    assert (host, sandbox.token) == ("127.0.0.1", "tok")
    assert port > 0  # port 0 asks for a free one; the banner names the one bound
    assert f"http://127.0.0.1:{port}" in result.output
    assert "tok" in result.output
