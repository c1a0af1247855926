"""Contract: every catalog request, as the connector sends it, is one the official spec allows.

Stoplight Prism, started on loopback with Intercom's 2.16 OpenAPI description and
``--errors``, validates each request it receives. Every spec and variant operation of the
catalog is sent through the real executor (``AsyncIntercomClient.call``: validation, request
builder, HTTP layer, a real socket) with the sample input ``SampleBuilder`` builds from the
operation's schema: once with the required fields only and, where that differs, once with
every field. A request Prism refuses fails with the operation and Prism's violation text.

What is judged is the request only. Prism's mock reply may be an error for reasons of its
own (the spec's examples break its own schemas for some operations: Prism answers 500
``VIOLATIONS`` with violations under ``response``), so replies are not asserted on here; the
schemathesis contract checks replies against the sandbox.

Requests that cannot pass are listed in ``KNOWN_REJECTIONS`` with the reason (a defect of the
spec, a limitation of Prism, or a bug in the connector); they run as strict xfails, so fixing
one fails the run until its entry is removed. See docs/contract-tests.md.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prism_server import (
    CACHE_DIR,
    INSTALL_TIMEOUT,
    SPEC,
    STARTUP_TIMEOUT,
    LoopbackRecorder,
    NodeMissing,
    PrismServer,
    install_prism,
    running_prism,
)

from intercom_connector import AsyncIntercomClient
from intercom_connector.catalog.model import Operation
from intercom_connector.catalog.registry import load_catalog
from intercom_connector.catalog.sample import SampleBuilder
from intercom_connector.http import IntercomError, RetryPolicy

# Whichever test runs first also installs Prism (npm) and starts it: allow for both.
pytestmark = pytest.mark.timeout(INSTALL_TIMEOUT + STARTUP_TIMEOUT + 60)

CATALOG = load_catalog()
SAMPLES = SampleBuilder(CATALOG.definitions)
TOKEN = "prism-token"

_MIXED = (
    "sample limitation: the all-fields sample (SampleBuilder.input_for(optional=True)) "
    "fills the admin and the contact reply shapes of the oneOf body at once, which neither "
    "shape allows"
)
_QUERY_OBJECT = (
    "Prism limitation: `filter` is an exploded form-style object query parameter whose "
    "fields sit only in oneOf branches; Prism rebuilds it as an empty object, so it refuses "
    "every request (even ?user_id=abc&type=user by hand). The catalog keeps the "
    "constraint itself: exactly one of user_id, intercom_user_id or email"
)
KNOWN_REJECTIONS: dict[tuple[str, str], str] = {
    ("create_conversation", "required"): (
        "spec defect: create_conversation_request.from.id is `format: uuid` with "
        "minLength = maxLength = 24; no string is both (a UUID has 36 characters)"
    ),
    ("create_conversation", "all-fields"): (
        "spec defect: from.id is `format: uuid` with length 24 (unsatisfiable)"
    ),
    ("update_data_attribute", "required"): (
        "spec defect: update_data_attribute_request is oneOf [list attribute (requires "
        "options), 'other type' (no constraints)]; the empty branch matches every body, so a "
        "body with `options` matches both and oneOf refuses it"
    ),
    ("update_data_attribute", "all-fields"): (
        "spec defect: oneOf with an unconstrained 'other type' branch refuses any body "
        "carrying `options`"
    ),
    ("create_or_update_tag", "all-fields"): (
        "spec defect + sample: the body is oneOf four tag shapes that overlap "
        "(create_or_update_tag_request allows extra fields, so every company/user tagging "
        "body matches it too); the all-fields sample also fills every shape's fields at once"
    ),
    ("reply_to_conversation", "all-fields"): _MIXED,
    ("reply_to_ticket", "all-fields"): _MIXED,
    ("list_data_events", "required"): _QUERY_OBJECT,
    ("list_data_events", "all-fields"): _QUERY_OBJECT,
}


def known_rejection(op: Operation, shape: str) -> str | None:
    return KNOWN_REJECTIONS.get((op.name, shape))


def _sample(name: str, shape: str) -> dict[str, Any]:
    return SAMPLES.input_for(CATALOG.get(name), optional=shape == "all-fields")


def _cases() -> list[Any]:
    cases = []
    for op in CATALOG:
        if op.kind not in ("spec", "variant"):
            continue
        shapes = ["required"]
        if _sample(op.name, "all-fields") != _sample(op.name, "required"):
            shapes.append("all-fields")
        for shape in shapes:
            reason = known_rejection(op, shape)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(op.name, shape, id=f"{op.name}-{shape}", marks=marks))
    return cases


CASES = _cases()


def test_every_known_rejection_names_a_case_that_runs() -> None:
    ids = {case.id for case in CASES}
    assert [f"{n}-{s}" for n, s in KNOWN_REJECTIONS if f"{n}-{s}" not in ids] == []


@pytest.fixture(scope="session")
def prism_entry_point(request: pytest.FixtureRequest) -> Path:
    capture = request.config.pluginmanager.get_plugin("capturemanager")

    def progress(message: str) -> None:
        # shown even under output capture: a first install takes a while
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            print(f"\n[prism] {message}", flush=True)

    try:
        return install_prism(CACHE_DIR, progress)
    except NodeMissing as missing:
        pytest.skip(str(missing))


@pytest.fixture(scope="module")
def prism(
    prism_entry_point: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrismServer]:
    log = tmp_path_factory.mktemp("prism") / "prism.log"
    with running_prism(prism_entry_point, SPEC, log) as server:
        yield server


async def _send(
    prism: PrismServer, name: str, data: dict[str, Any], download_dir: Path
) -> LoopbackRecorder:
    """Run one operation through the executor; Prism's verdict is read from the exchanges."""
    recorder = LoopbackRecorder()
    async with AsyncIntercomClient(
        TOKEN,
        base_url=prism.url,
        retry=RetryPolicy.none(),
        transport=recorder,
        catalog=CATALOG,
        download_dir=download_dir,
    ) as client:
        # A mock reply may be an error of Prism's own; the request is judged from the exchange.
        with contextlib.suppress(IntercomError):
            await client.call(name, data)
    return recorder


@pytest.mark.parametrize(("name", "shape"), CASES)
async def test_prism_accepts_the_request(
    prism: PrismServer, name: str, shape: str, tmp_path: Path
) -> None:
    recorder = await _send(prism, name, _sample(name, shape), tmp_path)
    to_prism = [e for e in recorder.exchanges if e.url.startswith(prism.url)]
    assert to_prism, f"{name}: no request reached Prism"
    refused = [(e, e.rejection()) for e in to_prism if e.rejection() is not None]
    assert not refused, "\n".join(
        f"Prism refused {name} ({shape}): {reason}\n  {exchange.describe()}"
        for exchange, reason in refused
    )


async def test_prism_refuses_a_body_that_breaks_the_spec(prism: PrismServer) -> None:
    recorder = LoopbackRecorder()
    async with AsyncIntercomClient(
        TOKEN, base_url=prism.url, retry=RetryPolicy.none(), transport=recorder, catalog=CATALOG
    ) as client:
        with pytest.raises(IntercomError):
            await client.api.request("POST", "/contacts", json={"favourite_colour": "blue"})
    (exchange,) = recorder.exchanges
    assert exchange.status == 422
    assert "must match a schema in anyOf" in (exchange.rejection() or "")


async def test_prism_refuses_a_path_the_spec_does_not_have(prism: PrismServer) -> None:
    recorder = LoopbackRecorder()
    async with AsyncIntercomClient(
        TOKEN, base_url=prism.url, retry=RetryPolicy.none(), transport=recorder, catalog=CATALOG
    ) as client:
        with pytest.raises(IntercomError):
            await client.api.request("GET", "/no_such_resource")
    (exchange,) = recorder.exchanges
    assert "Route not resolved" in (exchange.rejection() or "")
