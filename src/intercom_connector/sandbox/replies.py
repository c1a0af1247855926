"""What handlers return and raise: ``Reply`` values and ``ApiError`` in Intercom's envelope.

Handlers are plain synchronous functions over in-memory state; they return a ``Reply`` (JSON
value, pre-rendered JSON text, bytes or nothing) or raise ``ApiError``. The app turns either
into an HTTP response, so every error anywhere has the same ``error.list`` shape.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

JSON_TYPE = "application/json; charset=utf-8"

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def dumps(value: Any) -> str:
    """Compact JSON, as Intercom sends it."""
    return _dumps(value)


@dataclass
class Reply:
    """A reply ready for the wire: status, encoded body, content type and headers."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        return cls(status, _dumps(value).encode(), JSON_TYPE, dict(headers or {}))

    @classmethod
    def raw_json(cls, text: str, status: int = 200) -> Reply:
        """JSON already rendered as text (the fast path for large contact pages)."""
        return cls(status, text.encode(), JSON_TYPE)

    @classmethod
    def empty(cls, status: int = 200) -> Reply:
        return cls(status, b"", None)

    @classmethod
    def octets(cls, data: bytes, filename: str | None = None) -> Reply:
        headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else {}
        return cls(200, data, "application/octet-stream", headers)

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain") -> Reply:
        return cls(status, text.encode(), f"{content_type}; charset=utf-8")


def new_request_id() -> str:
    return str(uuid.uuid4())


def error_body(
    code: str, message: str | None, request_id: str, field_name: str | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {"code": code, "message": message}
    if field_name is not None:
        item["field"] = field_name
    return {"type": "error.list", "request_id": request_id, "errors": [item]}


class ApiError(Exception):
    """An Intercom-style failure: HTTP status plus one ``{code, message}`` entry."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field_name: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.field_name = field_name
        self.headers = dict(headers or {})

    def reply(self, request_id: str) -> Reply:
        body = error_body(self.code, self.message, request_id, self.field_name)
        return Reply.json(body, self.status, self.headers)


def not_found(message: str = "Resource Not Found", code: str = "not_found") -> ApiError:
    return ApiError(404, code, message)


def user_not_found() -> ApiError:
    return ApiError(404, "not_found", "User Not Found")


def invalid(message: str, field_name: str | None = None, status: int = 400) -> ApiError:
    return ApiError(status, "parameter_invalid", message, field_name=field_name)


def missing(name: str, status: int = 400) -> ApiError:
    return ApiError(status, "parameter_not_found", f"'{name}' is required", field_name=name)
