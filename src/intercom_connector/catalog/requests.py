"""Turn an operation and its validated input into an HTTP request.

One generic builder serves every catalog operation: fields go to the path, the query string,
headers or the JSON body according to the ``x-in`` the generator recorded from the spec.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from intercom_connector.catalog.model import Operation
from intercom_connector.http import RequestSpec


def _query_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [_query_value(v) for v in value]
    return value


def build_request(operation: Operation, data: dict[str, Any]) -> RequestSpec:
    """Place each input field where the spec says it travels."""
    properties: dict[str, Any] = operation.input_schema.get("properties", {})
    path = operation.path
    params: dict[str, Any] = {}
    headers: dict[str, str] = {}
    body: dict[str, Any] = dict(operation.fixed)
    for name, value in data.items():
        location = properties.get(name, {}).get("x-in", "body")
        if location == "path":
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
            if properties[name].get("x-also-query"):
                params[name] = _query_value(value)
        elif location == "query":
            if value is not None:
                params[name] = _query_value(value)
        elif location == "header":
            headers[name] = str(value)
        elif location == "body":
            body[name] = value
    has_body = bool(body) or any(p.get("x-in") == "body" for p in properties.values())
    json_body = body if has_body and operation.method != "GET" else None
    return RequestSpec(
        method=operation.method,
        url=path,
        params=params,
        json=json_body,
        headers=headers,
        retry_safe=operation.retry_safe,
        accept=operation.accept,
    )
