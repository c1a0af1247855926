"""Helpers for the trigger tests: notifications, signed posts, hosted workflows, servers.

A module of its own (not conftest) so test files can import it by a name no other test
folder uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import textwrap
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.requests import Request
from starlette.responses import Response

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import Sandbox, SandboxConfig
from intercom_connector.workflow import LoadedWorkflow, parse_workflow
from intercom_connector.workflow.triggers import HostedWorkflow, bind, sign

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CLI_ENTRY = Path(__file__).with_name("serve_entry.py")
PYTHON = sys.executable
SECRET = "test-client-secret"


def workflow(text: str, file: str = "test.yaml") -> LoadedWorkflow:
    return parse_workflow(textwrap.dedent(text), file)


def webhook_workflow(name: str = "On new contact", topics: str = "[contact.user.created]") -> str:
    return f"""
        name: {name}
        trigger:
          webhook:
            topics: {topics}
        steps:
          - id: seen
            map:
              contact: $.steps.trigger.data.item.id
              topic: $.steps.trigger.topic
    """


def notification(
    topic: str = "contact.user.created", item: dict[str, Any] | None = None, id: str | None = None
) -> dict[str, Any]:
    return {
        "type": "notification_event",
        "app_id": "abc123",
        "id": id or f"notif_{uuid.uuid4()}",
        "topic": topic,
        "created_at": 1_767_225_600,
        "data": {
            "type": "notification_event_data",
            "item": item or {"type": "contact", "id": "c-1", "role": "user"},
        },
    }


def signed(body: dict[str, Any] | bytes, secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return raw, {"Content-Type": "application/json", "X-Hub-Signature": sign(raw, secret)}


def new_sandbox(**config: Any) -> Sandbox:
    config.setdefault("rate_limit", None)
    return Sandbox(SandboxConfig(**config))


def sandbox_client(sandbox: Sandbox) -> AsyncIntercomClient:
    return AsyncIntercomClient(
        sandbox.token,
        base_url="http://sandbox.test",
        transport=httpx.ASGITransport(app=sandbox.app),
    )


def hosted(loaded: LoadedWorkflow, client: AsyncIntercomClient) -> HostedWorkflow:
    return HostedWorkflow(loaded, client, {"sandbox": True})


@dataclass
class Recorder:
    """An ASGI endpoint that records what it is sent and answers from a script."""

    statuses: list[int] = field(default_factory=list)
    received: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)
    url: str = ""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        self.received.append((await request.body(), dict(request.headers)))
        status = self.statuses.pop(0) if self.statuses else 200
        await Response(status_code=status)(scope, receive, send)


@contextlib.asynccontextmanager
async def serving(app: Callable[..., Any]) -> AsyncIterator[str]:
    """Serve an ASGI app on a free loopback port in this event loop; yields its base URL."""
    sock = bind("127.0.0.1", 0)
    config = uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


async def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError("the condition did not come true in time")
        await asyncio.sleep(0.02)
