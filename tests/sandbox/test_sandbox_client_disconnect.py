"""A client that leaves mid-request is logged as a disconnect, not as a sandbox failure."""

from __future__ import annotations

import logging
import socket
import time

import pytest

from intercom_connector.sandbox import Sandbox, SandboxConfig, run_in_thread
from intercom_connector.sandbox.app import CLIENT_DISCONNECTED

pytestmark = pytest.mark.timeout(60)


def test_a_body_cut_short_is_a_disconnect_in_the_request_log(caplog) -> None:
    sandbox = Sandbox(SandboxConfig(contacts=2, rate_limit=None))
    with caplog.at_level(logging.INFO), run_in_thread(sandbox) as handle:
        port = int(handle.base_url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(
                b"POST /contacts HTTP/1.1\r\nHost: sandbox\r\n"
                + f"Authorization: Bearer {sandbox.token}\r\n".encode()
                + b"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n"
                + b'{"email": "half'
            )
        deadline = time.monotonic() + 20
        while not len(sandbox.requests) and time.monotonic() < deadline:
            time.sleep(0.02)
    (record,) = sandbox.requests
    assert (record.method, record.path, record.status) == ("POST", "/contacts", None)
    assert record.fault == CLIENT_DISCONNECTED
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert sandbox.state.contacts.by_email("half") is None
