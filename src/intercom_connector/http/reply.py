"""What a request gives back: a decoded reply, or a file on disk for downloads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intercom_connector.httpx_lib import httpx

__all__ = ["DownloadResult", "Reply"]


@dataclass(slots=True)
class Reply:
    """A successful (2xx) reply.

    `body` is the decoded JSON for JSON replies (plain dicts and lists: no per-record models,
    which is where peers lose most of their time on large listings), raw bytes for anything
    else, and None for an empty body.
    """

    status_code: int
    headers: httpx.Headers
    body: Any
    request_id: str | None
    elapsed: float


@dataclass(frozen=True, slots=True)
class DownloadResult:
    """A completely written download, already under its final name."""

    path: Path
    name: str
    mime_type: str
    size: int
