"""The run log keeps exactly what each step produced, sealed; resume replays it bit for bit.

The first tests reproduce what the old, masked log got wrong: a ``token_count`` replayed as
``'***'``, ``MISSING`` replayed as text, and ``set-cookie`` headers lost.
"""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from workflow_kit import new_sandbox, sandbox_client, workflow

from intercom_connector.auth import AuthenticationStore
from intercom_connector.auth.crypto import KeyRing
from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.httpx_lib import httpx
from intercom_connector.workflow import (
    MISSING,
    ProgressEvent,
    RunLog,
    resume_run,
    run_workflow,
)
from intercom_connector.workflow.sealing import SealBroken, decode, encode


class Crash(BaseException):
    """Stands for the process dying."""


def crash_on(event_type: str, kind: str):
    def handler(event: ProgressEvent) -> None:
        if event.type == event_type and event.ref.kind == kind:
            raise Crash

    return handler


async def test_a_secret_looking_key_replays_as_its_value_after_a_crash(runlog: RunLog):
    loaded = workflow(
        """
        name: counts
        steps:
          - {id: usage, map: {token_count: 5}}
          - {id: wait, delay: 0}
          - id: enough
            condition:
              all: [{value1: $.steps.usage.token_count, comparison: '>', value2: 3}]
        """
    )
    async with sandbox_client(new_sandbox()) as client:
        with pytest.raises(Crash):
            await run_workflow(
                loaded, client, runlog=runlog, on_progress=crash_on("waiting", "delay")
            )
        resumed = await resume_run("last", client, runlog=runlog, force=True)
    assert resumed.succeeded, resumed.error
    assert resumed.outputs["usage"] == {"token_count": 5}
    assert resumed.outputs["enough"]["result"] is True


async def test_missing_is_recorded_as_missing_not_as_text(runlog: RunLog):
    loaded = workflow(
        """
        name: missing
        steps:
          - {id: l, call: list_contacts, input: {per_page: 1}}
          - {id: m, map: {text: "<nothing matched>"}}
          - id: c
            condition:
              any:
                - {value1: "$.steps.l.data[0].custom_attributes.absent", comparison: exists}
                - {value1: $.steps.m.text, comparison: exists}
        """
    )
    async with sandbox_client(new_sandbox()) as client:
        result = await run_workflow(loaded, client, runlog=runlog)
    (condition,) = [r for r in runlog.steps(result.run_id) if r.step_id == "c"]
    first, second = condition.input["comparisons"]
    assert first["value1"] is MISSING
    assert second["value1"] == "<nothing matched>"


def _cookie_app() -> Starlette:
    async def session(request: Request) -> JSONResponse:
        response = JSONResponse({"ok": True})
        response.set_cookie("session", "s3ss10n-value")
        return response

    return Starlette(routes=[Route("/session", session)])


async def test_set_cookie_headers_of_a_raw_request_survive_a_resume(runlog: RunLog):
    loaded = workflow(
        """
        name: cookies
        steps:
          - id: login
            call: raw_http_request
            input: {method: GET, endpoint: /session}
          - {id: wait, delay: 0}
          - id: cookie
            map: {header: "$.steps.login.headers['set-cookie']"}
        """
    )
    transport = httpx.ASGITransport(app=_cookie_app())
    async with AsyncIntercomClient(
        "t0ken-for-tests", base_url="http://api.test", transport=transport
    ) as client:
        with pytest.raises(Crash):
            await run_workflow(
                loaded, client, runlog=runlog, on_progress=crash_on("waiting", "delay")
            )
        resumed = await resume_run("last", client, runlog=runlog, force=True)
    assert resumed.succeeded, resumed.error
    assert resumed.outputs["cookie"]["header"].startswith("session=s3ss10n-value")


@pytest.mark.parametrize(
    "value",
    [
        MISSING,
        {"a": [MISSING, {"b": MISSING}], "$": "missing"},
        {"$": "missing"},
        {"$": "object", "items": []},
        2**200,
        -(2**63) - 1,
        "ünïcødé ✓ 𝄞 \u0000",
        {"token": "x" * 2000, "n": 1.5e-300},
        b"\x00\xff bytes",
        [],
        None,
    ],
)
def test_the_codec_gives_back_exactly_what_it_was_given(value):
    decoded = decode(encode(value))
    assert decoded == value or (decoded is MISSING and value is MISSING)
    assert type(decoded) is type(value)


def test_a_log_opened_with_another_key_is_refused(home):
    path = home / "connector.db"
    with RunLog(path, keys=KeyRing((Fernet.generate_key(),), "first")) as log:
        log.append("r", "run_started", data={"x": 1}, durable=True)
    second = KeyRing((Fernet.generate_key(),), "second")
    with RunLog(path, keys=second) as log, pytest.raises(SealBroken):
        log.events("r")


async def test_the_history_stays_readable_after_auth_rotate_key(runlog: RunLog, home):
    async with sandbox_client(new_sandbox()) as client:
        result = await run_workflow(
            workflow("name: t\nsteps:\n  - {id: m, map: {n: 2}}\n"), client, runlog=runlog
        )
    runlog.close()
    old_key = (home / "secret.key").read_bytes()
    AuthenticationStore().rotate_key()
    assert (home / "secret.key").read_bytes() != old_key
    with RunLog() as reopened:
        assert reopened.steps(result.run_id)[0].output == {"n": 2}
