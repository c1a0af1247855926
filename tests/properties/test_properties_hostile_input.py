"""Generated hostile input: a clear error or a result, never a traceback, never a hang.

Workflow files built from aliases, deep nesting and raw bytes; operation inputs with blank
path parameters, huge numbers, lone surrogates and deep values; signed webhook bodies of
any shape. The time bound is pytest-timeout over the whole test (hypothesis deadlines are
off: a loaded machine must not fail a test), so a hang fails it and slowness does not.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intercom_connector.catalog.registry import load_catalog
from intercom_connector.catalog.validation import InvalidInput
from intercom_connector.httpx_lib import httpx
from intercom_connector.workflow import WorkflowInvalid, parse_workflow
from intercom_connector.workflow.triggers import (
    WEBHOOK_PATH,
    TopicRoutes,
    TriggerStore,
    sign,
    webhook_app,
)

pytestmark = pytest.mark.timeout(300)
SECRET = "property-secret"
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]

# --- workflow files -------------------------------------------------------------------------

SCALARS = st.one_of(
    st.sampled_from(["x", "1", "-1", "~", "yes", "'q'", '"q"', "7" * 5_000, "$.steps.a"]),
    st.text(max_size=8),
)


@st.composite
def alias_documents(draw: st.DrawFn) -> str:
    """YAML whose anchors refer to earlier anchors many times over (a possible bomb)."""
    levels = draw(st.integers(min_value=1, max_value=12))
    fanout = draw(st.integers(min_value=1, max_value=12))
    lines = ["name: t", f"a0: &a0 {json.dumps(draw(SCALARS))}"]
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * fanout)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append(f"steps:\n  - {{id: s, map: {{x: *a{levels - 1}}}}}")
    return "\n".join(lines) + "\n"


@st.composite
def nested_documents(draw: st.DrawFn) -> str:
    depth = draw(st.integers(min_value=1, max_value=3_000))
    opening, closing = draw(st.sampled_from([("[", "]"), ("{a: ", "}"), ("- ", "")]))
    if opening == "- ":
        inner = "".join("  " * i + "-\n" for i in range(depth)) or "x"
        return f"name: t\nsteps:\n  - {{id: s, map: {{}}}}\nextra:\n{inner}"
    return f"name: t\nsteps:\n  - {{id: s, map: {{x: {opening * depth}{closing * depth}}}}}\n"


def _raw_text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


HOSTILE_FILES = st.one_of(
    alias_documents(),
    nested_documents(),
    st.binary(max_size=400).map(_raw_text),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=400),
)


@settings(max_examples=200, deadline=None, suppress_health_check=SLOW)
@given(text=HOSTILE_FILES, as_json=st.booleans())
def test_any_hostile_workflow_text_is_loaded_or_refused_with_a_problem(
    text: str, as_json: bool
) -> None:
    try:
        parse_workflow(text, "hostile.yaml", as_json=as_json)
    except WorkflowInvalid as invalid:
        assert invalid.problems
        assert all(str(problem).startswith("hostile.yaml") for problem in invalid.problems)


# --- operation inputs -----------------------------------------------------------------------

CATALOG = load_catalog()
WITH_PATH = [op for op in CATALOG if any(f.location == "path" for f in op.fields)]

HOSTILE_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from([10**4_000, -(10**400), float("nan"), float("inf"), 1e308]),
        st.sampled_from(["", " ", "\t\n", ".", "..", "/", "%2F", "\ud800", "a" * 300]),
        st.text(max_size=12),
    ),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=30,
)


@st.composite
def deep_values(draw: st.DrawFn) -> Any:
    value: Any = draw(HOSTILE_VALUES)
    for _ in range(draw(st.integers(min_value=0, max_value=2_000))):
        value = [value] if draw(st.booleans()) else {"k": value}
    return value


@settings(max_examples=200, deadline=None, suppress_health_check=SLOW)
@given(
    operation=st.sampled_from(WITH_PATH),
    data=st.data(),
)
def test_any_hostile_operation_input_is_prepared_or_refused(operation, data) -> None:
    fields = [f.name for f in operation.fields] or ["x"]
    given_input = data.draw(
        st.dictionaries(
            st.sampled_from([*fields, "unknown"]), HOSTILE_VALUES | deep_values(), max_size=6
        )
    )
    try:
        prepared = CATALOG.validator.prepare(operation, given_input)
    except InvalidInput as refused:
        assert refused.problems
        return
    for field in operation.fields:
        if field.location == "path":
            value = prepared[field.name]
            assert not (isinstance(value, str) and value.strip() in ("", ".", ".."))


# --- webhook bodies -------------------------------------------------------------------------

NOTIFICATION_LIKE = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["notification_event", "other"]),
        "id": HOSTILE_VALUES,
        "topic": st.one_of(
            st.sampled_from(["contact.user.created", "a\nb", "", "\x1b[2J", "*"]),
            HOSTILE_VALUES,
        ),
        "data": st.one_of(HOSTILE_VALUES, st.just({"item": {"id": "c"}})),
    }
)


def _encode(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8", "surrogatepass")


@st.composite
def deep_json(draw: st.DrawFn) -> bytes:
    """JSON text nested up to 100,000 deep, written without recursing."""
    depth = draw(st.integers(min_value=0, max_value=100_000))
    inner = _encode(draw(HOSTILE_VALUES))
    opening, closing = draw(st.sampled_from([(b"[", b"]"), (b'{"k": ', b"}")]))
    return opening * depth + inner + closing * depth


HUGE_NUMBER = b'{"type": "notification_event", "id": "n", "topic": "t", "data": {"n": %s}}' % (
    b"9" * 5_000
)
BODIES = st.one_of(
    st.just(HUGE_NUMBER),
    NOTIFICATION_LIKE.map(_encode),
    deep_json(),
    st.binary(max_size=300),
)


@pytest.fixture(scope="module")
def webhook_client(private_home):
    loop = asyncio.new_event_loop()
    store = TriggerStore(private_home / "triggers.db")
    app = webhook_app(store, TopicRoutes.of([("any", ["*"])]), SECRET)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://serve")
    yield loop, client
    loop.run_until_complete(client.aclose())
    loop.close()
    store.close()


@settings(max_examples=200, deadline=None, suppress_health_check=SLOW)
@given(body=BODIES)
def test_any_signed_body_is_queued_or_refused_never_a_server_error(webhook_client, body) -> None:
    loop, client = webhook_client
    headers = {"Content-Type": "application/json", "X-Hub-Signature": sign(body, SECRET)}
    reply = loop.run_until_complete(client.post(WEBHOOK_PATH, content=body, headers=headers))
    assert reply.status_code in (200, 400, 413), reply.text
    if reply.status_code == 400:
        assert reply.json()["error"]
