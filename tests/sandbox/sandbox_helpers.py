"""Assertion helpers shared by the sandbox tests."""

from __future__ import annotations

from typing import Any

from intercom_connector.httpx_lib import httpx


def error_code(response: httpx.Response) -> str:
    """The code of an Intercom ``error.list`` reply (asserting the envelope on the way)."""
    body: dict[str, Any] = response.json()
    assert body["type"] == "error.list"
    assert isinstance(body["request_id"], str) and len(body["request_id"]) == 36
    return str(body["errors"][0]["code"])
