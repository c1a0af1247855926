"""`call --all` stops at a next-page link to another host instead of merging its records."""

from __future__ import annotations

import json

import pytest
from scripted_socket import SilentServer
from typer.testing import CliRunner

from intercom_connector.cli import app

pytestmark = pytest.mark.timeout(60)


def _page(body: dict) -> bytes:
    data = json.dumps(body).encode()
    head = (
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
        f"content-length: {len(data)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + data


def test_call_all_refuses_a_next_page_on_another_host(monkeypatch, tmp_path) -> None:
    first = {"type": "event.list", "events": [{"event_name": "ours"}]}
    first["pages"] = {"next": "https://evil.example/events?page=2"}
    server = SilentServer([_page(first)])
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path / "home"))
    try:
        result = CliRunner().invoke(
            app,
            [
                *("call", "list_data_events", "-p", "type=user", "-p", "user_id=1", "--all"),
                *("--quiet", "--output", "ndjson", "--token", "tok-x"),
                *("--base-url", server.base_url),
            ],
            catch_exceptions=False,
        )
    finally:
        server.stop()
    assert result.exit_code == 1
    assert "the next page link 'https://evil.example/events?page=2' leaves" in result.stderr
    assert "the listing stopped there" in result.stderr
    assert len(server.requests) == 1
