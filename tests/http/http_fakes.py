"""Test doubles for the HTTP layer: a fake clock and a scripted server.

A module of its own (not conftest) so test files can import it by a name no other test
folder uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from intercom_connector.httpx_lib import httpx

TOKEN = "dG9rOjEyMzQ1Njc4OTBzZWNyZXQ="
BASE_URL = "https://api.intercom.test"
START = 1_700_000_000.0


class FakeTime:
    """A unix clock that only moves when the code under test sleeps."""

    def __init__(self, now: float = START) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


Step = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class ScriptedServer:
    """A MockTransport handler that answers with the given steps, in order, recording requests.

    A step is a response, an exception to raise (as a broken connection would), or a function
    of the request. The last step repeats when the script runs out.
    """

    def __init__(self, steps: Iterable[Step]) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps[min(len(self.requests), len(self.steps)) - 1]
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return step
        return step(request)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def json_reply(status: int = 200, body: Any = None, **headers: str) -> httpx.Response:
    headers = {name.replace("_", "-"): value for name, value in headers.items()}
    body = {"type": "list", "data": []} if body is None else body
    return httpx.Response(status, json=body, headers=headers)


def error_reply(status: int, code: str, message: str, **headers: str) -> httpx.Response:
    body = {
        "type": "error.list",
        "request_id": "req-1",
        "errors": [{"code": code, "message": message}],
    }
    headers = {name.replace("_", "-"): value for name, value in headers.items()}
    return httpx.Response(status, json=body, headers=headers)
