"""Cursor and page bookkeeping shared by the list, search and scroll endpoints.

Cursors are opaque base64 of a small JSON array, like Intercom's
(``WzE3MDc1OTQ3MTUuMCwxMjM0NV0=`` is ``[1707594715.0,12345]``); clients must pass them back
unchanged, and a tampered one is a 400 rather than a crash.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from typing import Any

from .replies import ApiError


def encode_cursor(parts: list[Any]) -> str:
    raw = json.dumps(parts, separators=(",", ":")).encode()
    return base64.b64encode(raw).decode()


def decode_cursor(text: str, field_name: str = "starting_after") -> list[Any]:
    try:
        value = json.loads(base64.b64decode(text.encode(), validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        value = None
    if not isinstance(value, list) or not value:
        raise ApiError(
            400, "parameter_invalid", f"{field_name} is not a valid cursor", field_name=field_name
        )
    return value


def total_pages(total: int, per_page: int) -> int:
    return math.ceil(total / per_page) if per_page > 0 else 0


def cursor_pages(page: int, per_page: int, total: int, next_cursor: str | None) -> dict[str, Any]:
    """``pages`` of a cursor-paginated reply; ``next`` only while there is more to read."""
    pages: dict[str, Any] = {
        "type": "pages",
        "page": page,
        "per_page": per_page,
        "total_pages": total_pages(total, per_page),
    }
    if next_cursor is not None:
        pages["next"] = {"per_page": per_page, "starting_after": next_cursor}
    return pages


def numbered_pages(page: int, per_page: int, total: int) -> dict[str, Any]:
    """``pages`` of a page-numbered reply (companies): the client asks for page + 1."""
    return {
        "type": "pages",
        "next": None,
        "page": page,
        "per_page": per_page,
        "total_pages": total_pages(total, per_page),
    }


def per_page_value(
    raw: Any, default: int, maximum: int, field_name: str = "per_page", clamp: bool = False
) -> int:
    if raw is None:
        return default
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < 1:
        raise ApiError(
            400,
            "parameter_invalid",
            f"{field_name} must be a positive integer",
            field_name=field_name,
        )
    if raw > maximum:
        if clamp:
            return maximum
        raise ApiError(
            400,
            "parameter_invalid",
            f"{field_name} must be at most {maximum}",
            field_name=field_name,
        )
    return raw
