"""Every catalog operation reaches the server with the right method, path, query and body.

An in-process echo app records what arrives; the expected request is derived from the
operation's schema (where each field travels), independently of the request builder.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.catalog.model import Operation
from intercom_connector.catalog.registry import load_catalog
from intercom_connector.catalog.sample import SampleBuilder
from intercom_connector.httpx_lib import httpx

CATALOG = load_catalog()
SAMPLES = SampleBuilder(CATALOG.definitions)
OPERATIONS = [op for op in CATALOG if op.kind in ("spec", "variant")]


class Echo:
    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.app = Starlette(
            routes=[
                Route(
                    "/{path:path}", self.record, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]
                )
            ]
        )

    async def record(self, request: Request) -> Response:
        raw = await request.body()
        self.seen.append(
            {
                "method": request.method,
                "path": request.scope["raw_path"].decode(),
                "query": sorted(request.query_params.multi_items()),
                "body": (await request.json()) if raw else None,
                "headers": request.headers,
            }
        )
        if "octet-stream" in request.headers.get("accept", ""):
            return Response(b"\x1f\x8b", media_type="application/octet-stream")
        return JSONResponse({"type": "echo"})


def sample_input(op: Operation) -> dict[str, Any]:
    data = SAMPLES.input_for(op)
    exclusive = {name for shape in op.input_schema.get("oneOf", []) for name in shape["required"]}
    for field in op.fields:
        if field.location == "query" and field.name not in data.keys() | exclusive:
            data[field.name] = SAMPLES.value(field.schema, field.name)
    return data


def expected_request(op: Operation, data: dict[str, Any]) -> dict[str, Any]:
    path = op.path
    query: list[tuple[str, str]] = []
    body: dict[str, Any] = dict(op.fixed)
    declares_body = False
    for field in op.fields:
        declares_body |= field.location == "body"
        if field.name not in data:
            continue
        value = data[field.name]
        if field.location == "path":
            path = path.replace("{" + field.name + "}", quote(str(value), safe=""))
            if field.schema.get("x-also-query"):  # the spec wants it in the query as well
                query.append((field.name, str(value)))
        elif field.location == "query":
            values = value if isinstance(value, list) else [value]
            for item in values:
                text = str(item).lower() if isinstance(item, bool) else str(item)
                query.append((field.name, text))
        elif field.location == "body":
            body[field.name] = value
    has_body = (body or declares_body) and op.method != "GET"
    return {
        "method": op.method,
        "path": path,
        "query": sorted(query),
        "body": body if has_body else None,
    }


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.name for op in OPERATIONS])
async def test_operation_sends_method_path_query_and_body(op: Operation) -> None:
    echo = Echo()
    data = sample_input(op)
    async with AsyncIntercomClient(
        "secret-token",
        base_url="http://intercom.test",
        transport=httpx.ASGITransport(app=echo.app),
    ) as client:
        await client.call(op.name, data)
    assert len(echo.seen) == 1
    seen = echo.seen[0]
    expected = expected_request(op, data)
    assert {k: seen[k] for k in expected} == expected
    assert seen["headers"]["authorization"] == "Bearer secret-token"
    assert seen["headers"]["intercom-version"] == "2.16"
    assert seen["headers"]["accept"] == op.accept
