"""Schema-shaped replies for the operations without state, and request validation for all."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from sandbox_helpers import error_code

from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import stateful_operations
from intercom_connector.sandbox.catalog_data import Operation, spec_operations, with_defs
from intercom_connector.sandbox.collection_handlers import collection_of
from intercom_connector.sandbox.generic import sampler

GENERIC = [op for op in spec_operations() if op.name not in stateful_operations()]
SCHEMA_SHAPED_GETS = [op for op in GENERIC if op.method == "GET" and op.name not in collection_of()]
WITH_REQUIRED_BODY = [
    op for op in GENERIC if set(op.input_schema.get("required") or ()) & set(op.params_in("body"))
]


def _path(op: Operation, value: str = "123") -> str:
    path = op.path
    for name in op.path_params:
        path = path.replace("{" + name + "}", value)
    return path


def _required_query(op: Operation) -> dict[str, Any]:
    required = set(op.input_schema.get("required") or ())
    return {
        name: sampler().sample(prop)
        for name, prop in op.params_in("query").items()
        if name in required and name not in op.path_params
    }


def test_every_catalog_operation_is_served() -> None:
    assert len(spec_operations()) == 231
    assert len(GENERIC) + len(stateful_operations()) == 231


@pytest.mark.parametrize("op", SCHEMA_SHAPED_GETS, ids=lambda op: op.name)
async def test_generic_get_reply_matches_its_response_schema(
    client: httpx.AsyncClient, op: Operation
) -> None:
    response = await client.get(_path(op), params=_required_query(op))
    assert response.status_code == op.response_status, response.text
    if op.response_content_type == "application/json":
        errors = list(
            Draft202012Validator(with_defs(op.response_schema)).iter_errors(response.json())
        )
        assert errors == []


@pytest.mark.parametrize("op", WITH_REQUIRED_BODY, ids=lambda op: op.name)
async def test_generic_request_missing_required_body_is_refused(
    client: httpx.AsyncClient, op: Operation
) -> None:
    response = await client.request(op.method, _path(op), params=_required_query(op), json={})
    assert response.status_code == op.validation_status
    assert error_code(response) in {"parameter_not_found", "parameter_invalid"}


async def test_generic_query_of_wrong_type_is_parameter_invalid(client: httpx.AsyncClient) -> None:
    response = await client.get("/articles/search", params={"help_center_id": "not-a-number"})
    assert response.status_code == 400
    assert error_code(response) == "parameter_invalid"


async def test_path_id_round_trips_into_the_reply(client: httpx.AsyncClient) -> None:
    reply = (await client.get("/jobs/status/4242")).json()
    assert reply["id"] == "4242"


async def test_body_fields_are_echoed_when_they_fit(client: httpx.AsyncClient) -> None:
    reply = (await client.post("/articles", json={"title": "Hello", "author_id": 7})).json()
    assert reply["title"] == "Hello"
    assert reply["author_id"] == 7


async def test_schema_shaped_lists_hold_distinct_items(client: httpx.AsyncClient) -> None:
    page = (await client.get("/away_status_reasons")).json()
    assert len(page["data"]) == 2
    assert page["data"][0]["id"] != page["data"][1]["id"]


async def test_generic_replies_are_deterministic(client: httpx.AsyncClient) -> None:
    first = (await client.get("/macros")).json()
    assert (await client.get("/macros")).json() == first


async def test_octet_stream_operation_returns_bytes(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/download/reporting_data/job1",
        params={"app_id": "a"},
        headers={"Accept": "application/octet-stream"},
    )
    assert response.headers["content-type"] == "application/octet-stream"
    assert gzip.decompress(response.content).startswith(b"id,")


async def test_text_operation_returns_text(client: httpx.AsyncClient) -> None:
    response = await client.get("/calls/1/transcript")
    assert response.headers["content-type"].startswith("text/plain")


async def test_malformed_json_body_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/articles", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert error_code(response) == "bad_request"


async def test_422_is_used_where_the_spec_documents_only_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/audiences", json={})
    assert response.status_code == 422
