"""Data events: submit one (``202``, no body) and list a user's events page by page.

Listing follows Intercom's ``next_url`` style: ``pages.next`` is a full URL to GET, built from
the host the client called, so it works in-process and over a socket alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from .call import Call, Handler
from .contact_store import Contact
from .lookups import find_contact_by
from .pagination import decode_cursor, encode_cursor
from .records import DataEvent
from .replies import ApiError, Reply, invalid, user_not_found
from .state import SandboxState

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
_IDENTIFIERS = ("intercom_user_id", "user_id", "email")


def submit_data_event(state: SandboxState, call: Call) -> Reply:
    body = call.data
    contact = find_contact_by(
        state, intercom_user_id=body.get("id"), user_id=body.get("user_id"), email=body.get("email")
    )
    if contact is None:
        raise user_not_found()
    metadata = body.get("metadata") or {}
    state.events.append(
        DataEvent(
            seq=len(state.events),
            event_name=body["event_name"],
            created_at=int(body["created_at"]),
            contact_seq=contact.seq,
            metadata=dict(metadata),
        )
    )
    return Reply.empty(202)


def _render_event(state: SandboxState, event: DataEvent, contact: Contact) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "event",
        "event_name": event.event_name,
        "created_at": event.created_at,
        "intercom_user_id": state.contacts.id_of(contact),
        "metadata": dict(event.metadata),
    }
    if contact.external_id:
        out["user_id"] = contact.external_id
    if contact.email:
        out["email"] = contact.email
    return out


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _summaries(events: list[DataEvent]) -> list[dict[str, Any]]:
    by_name: dict[str, list[DataEvent]] = {}
    for event in events:
        by_name.setdefault(event.event_name, []).append(event)
    return [
        {
            "name": name,
            "first": _iso(min(e.created_at for e in group)),
            "last": _iso(max(e.created_at for e in group)),
            "count": len(group),
            "description": "",
        }
        for name, group in sorted(by_name.items())
    ]


def list_data_events(state: SandboxState, call: Call) -> Reply:
    if call.query.get("type") != "user":
        raise invalid("type must be user", "type")
    given = {k: call.query[k] for k in _IDENTIFIERS if call.query.get(k)}
    if not given:
        raise ApiError(
            400,
            "parameter_not_found",
            "one of user_id, intercom_user_id or email is required",
            field_name="user_id",
        )
    contact = find_contact_by(state, **given)
    if contact is None:
        raise user_not_found()
    events = [e for e in state.events if e.contact_seq == contact.seq]
    events.sort(key=lambda e: (e.created_at, e.seq), reverse=True)
    reply: dict[str, Any] = {
        "type": "event.summary",
        "intercom_user_id": state.contacts.id_of(contact),
        "user_id": contact.external_id or "",
        "email": contact.email or "",
    }
    if call.flag("summary"):
        reply["events"] = _summaries(events)
        return Reply.json(reply)
    raw_per_page = call.raw("per_page")
    per_page = DEFAULT_PER_PAGE
    if raw_per_page is not None:
        if not raw_per_page.isdigit() or not 1 <= int(raw_per_page) <= MAX_PER_PAGE:
            raise invalid(f"per_page must be between 1 and {MAX_PER_PAGE}", "per_page")
        per_page = int(raw_per_page)
    before = call.raw("before")
    if before:
        key = decode_cursor(before, "before")
        if len(key) != 2:
            raise invalid("before is not a valid cursor", "before")
        events = [e for e in events if [e.created_at, e.seq] < key]
    page = events[:per_page]
    reply["events"] = [_render_event(state, e, contact) for e in page]
    if len(events) > per_page:
        tail = page[-1]
        params = {
            "type": "user",
            **given,
            "per_page": per_page,
            "before": encode_cursor([tail.created_at, tail.seq]),
        }
        reply["pages"] = {"next": f"{call.base_url}/events?{urlencode(params)}"}
    return Reply.json(reply)


HANDLERS: dict[str, Handler] = {
    "submit_data_event": submit_data_event,
    "list_data_events": list_data_events,
}
