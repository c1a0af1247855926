"""Content negotiation: a request whose ``Accept`` rules out every reply type gets 406.

Intercom answers JSON endpoints asked for ``text/html`` with 406. An operation may answer
its declared reply type, the download type the catalog names for it, or JSON (errors are
JSON everywhere); ``*/*``, ``type/*`` and ``q=0`` are honoured.
"""

from __future__ import annotations

from .catalog_data import Operation
from .replies import ApiError


def _ranges(accept: str) -> list[str]:
    out = []
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        refused = any(p.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000") for p in params)
        if media and not refused:
            out.append(media.lower())
    return out


def _matches(media_range: str, offered: str) -> bool:
    if media_range in ("*/*", "*"):
        return True
    kind, _, sub = media_range.partition("/")
    offered_kind, _, offered_sub = offered.partition("/")
    return kind == offered_kind and sub in ("*", offered_sub)


def check_acceptable(op: Operation, accept: str | None) -> None:
    if accept is None or not accept.strip():
        return
    offered = {"application/json", op.accept.split(";")[0].strip().lower()}
    if op.response_content_type:
        offered.add(op.response_content_type.split(";")[0].strip().lower())
    if not any(_matches(r, o) for r in _ranges(accept) for o in offered):
        raise ApiError(
            406,
            "not_acceptable",
            f"Cannot answer with {accept}; this endpoint answers {', '.join(sorted(offered))}",
        )
