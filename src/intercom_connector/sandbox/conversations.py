"""Conversations: create, read (with parts), reply, manage, participants, list and search.

Lists and search answer with Intercom's exception to the list shape — ``conversation.list``
with a ``conversations`` key — and a single conversation carries at most its 500 most recent
parts, as Intercom documents.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import Any

from .call import Call, Handler
from .contact_store import Contact
from .lookups import find_admin, find_contact_by, find_conversation
from .pagination import cursor_pages, decode_cursor, encode_cursor, per_page_value
from .records import Conversation
from .replies import ApiError, Reply, invalid, not_found, user_not_found
from .search import Field, Resolver, run_search
from .state import SandboxState
from .tags_notes import render_applied_tag

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 150
MAX_PARTS = 500


def _author(state: SandboxState, kind: str, author_id: str) -> dict[str, Any]:
    if kind in ("admin", "team", "bot"):
        admin = state.admins.get(author_id)
        return {
            "type": kind,
            "id": author_id,
            "name": admin.name if admin else None,
            "email": admin.email if admin else "",
        }
    contact = state.contacts.get(author_id)
    return {
        "type": kind,
        "id": author_id,
        "name": contact.name if contact else None,
        "email": (contact.email or "") if contact else "",
    }


def _render_part(state: SandboxState, part: dict[str, Any]) -> dict[str, Any]:
    kind, author_id = part["author"]
    assigned = part.get("assigned_to")
    return {
        "type": "conversation_part",
        "id": part["id"],
        "part_type": part["part_type"],
        "body": part.get("body"),
        "created_at": part["created_at"],
        "updated_at": part["created_at"],
        "notified_at": part["created_at"],
        "assigned_to": {"type": assigned[0], "id": assigned[1]} if assigned else None,
        "author": _author(state, kind, author_id),
        "attachments": [],
        "external_id": None,
        "redacted": False,
        "email_message_metadata": None,
        "metadata": None,
        "state": part.get("state", "open"),
        "tags": [],
        "event_details": None,
        "app_package_code": None,
    }


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def render_conversation(
    state: SandboxState, conversation: Conversation, with_parts: bool = True
) -> dict[str, Any]:
    store = state.contacts
    contacts = [store.by_seq(seq) for seq in conversation.contact_seqs]
    teammates = sorted({p["author"][1] for p in conversation.parts if p["author"][0] == "admin"})
    out: dict[str, Any] = {
        "type": "conversation",
        "id": conversation.id,
        "title": conversation.title,
        "created_at": conversation.created_at,
        "updated_at": conversation.updated_at,
        "waiting_since": conversation.waiting_since,
        "snoozed_until": conversation.snoozed_until,
        "source": dict(conversation.source),
        "contacts": {
            "type": "contact.list",
            "contacts": [store.reference(c) for c in contacts if c is not None],
        },
        "first_contact_reply": {
            "created_at": conversation.created_at,
            "type": "conversation",
            "url": None,
        },
        "admin_assignee_id": _int_or_none(conversation.admin_assignee_id),
        "team_assignee_id": _int_or_none(conversation.team_assignee_id),
        "open": conversation.state == "open",
        "state": conversation.state,
        "read": conversation.read,
        "tags": {
            "type": "tag.list",
            "tags": [
                render_applied_tag(state, state.tags[t])
                for t in conversation.tag_ids
                if t in state.tags
            ],
        },
        "priority": conversation.priority,
        "sla_applied": None,
        "statistics": None,
        "conversation_rating": None,
        "teammates": {
            "type": "admin.list",
            "teammates": [{"type": "admin", "id": a} for a in teammates],
        },
        "custom_attributes": dict(conversation.custom_attributes),
        "linked_objects": {"type": "list", "data": [], "total_count": 0, "has_more": False},
        "ai_agent": None,
        "ai_agent_participated": False,
    }
    if with_parts:
        parts = conversation.parts[-MAX_PARTS:]
        out["conversation_parts"] = {
            "type": "conversation_part.list",
            "conversation_parts": [_render_part(state, p) for p in parts],
            "total_count": len(conversation.parts),
        }
    return out


def _changed(state: SandboxState, conversation: Conversation) -> Reply:
    conversation.updated_at = state.now()
    state.conversation_version += 1
    return Reply.json(render_conversation(state, conversation))


def _add_part(
    state: SandboxState,
    conversation: Conversation,
    part_type: str,
    author: tuple[str, str],
    body: str | None = None,
    assigned_to: tuple[str, str] | None = None,
) -> None:
    conversation.parts.append(
        {
            "id": state.ids.next_number("part", 1),
            "part_type": part_type,
            "body": body,
            "created_at": state.now(),
            "author": author,
            "assigned_to": assigned_to,
            "state": conversation.state,
        }
    )


def list_conversations(state: SandboxState, call: Call) -> Reply:
    per_page = per_page_value(call.query.get("per_page"), DEFAULT_PER_PAGE, MAX_PER_PAGE)
    order = state.conversation_order
    start = 0
    cursor = call.query.get("starting_after")
    if cursor:
        last = decode_cursor(cursor)[-1]
        if not isinstance(last, int):
            raise invalid("starting_after is not a valid cursor", "starting_after")
        start = bisect_right(order, last)
    seqs = order[start : start + per_page]
    page = [state.conversations_by_seq[s] for s in seqs]
    more = start + per_page < len(order)
    next_cursor = None
    if more and page:
        next_cursor = encode_cursor([float(page[-1].created_at), page[-1].seq])
    return Reply.json(
        {
            "type": "conversation.list",
            "pages": cursor_pages(start // per_page + 1, per_page, len(order), next_cursor),
            "total_count": len(order),
            "conversations": [render_conversation(state, c, with_parts=False) for c in page],
        }
    )


def create_conversation(state: SandboxState, call: Call) -> Reply:
    body = call.data
    sender = body["from"]
    contact = state.contacts.get(str(sender.get("id")))
    if contact is None or contact.merged_into is not None:
        raise user_not_found()
    now = body.get("created_at") or state.now()
    seq = int(state.ids.next_number("conversation_seq", state.config.conversations))
    contact_id = state.contacts.id_of(contact)
    source_id = str(403_918_000 + seq)
    conversation = Conversation(
        seq=seq,
        id=str(100 + seq),
        created_at=now,
        updated_at=now,
        source={
            "type": "conversation",
            "id": source_id,
            "delivered_as": "customer_initiated",
            "subject": body.get("subject") or "",
            "body": body["body"],
            "author": _author(state, contact.role, contact_id),
            "attachments": [],
            "url": None,
            "redacted": False,
        },
        contact_seqs=[contact.seq],
        waiting_since=now,
    )
    state.conversations[conversation.id] = conversation
    state.conversations_by_seq[seq] = conversation
    state.conversation_order.append(seq)
    state.conversation_version += 1
    contact.last_contacted_at = now
    return Reply.json(
        {
            "type": "user_message",
            "id": source_id,
            "created_at": now,
            "body": body["body"],
            "message_type": "inapp",
            "conversation_id": conversation.id,
        }
    )


def get_conversation(state: SandboxState, call: Call) -> Reply:
    conversation = find_conversation(state, call.path["conversation_id"])
    return Reply.json(render_conversation(state, conversation))


def update_conversation(state: SandboxState, call: Call) -> Reply:
    conversation = find_conversation(state, call.path["conversation_id"])
    body = call.data
    if "read" in body:
        conversation.read = bool(body["read"])
    if "title" in body:
        conversation.title = body["title"]
    if isinstance(body.get("custom_attributes"), dict):
        conversation.custom_attributes = {
            **conversation.custom_attributes,
            **body["custom_attributes"],
        }
    return _changed(state, conversation)


def delete_conversation(state: SandboxState, call: Call) -> Reply:
    conversation = find_conversation(state, call.path["conversation_id"])
    del state.conversations[conversation.id]
    del state.conversations_by_seq[conversation.seq]
    state.conversation_order.remove(conversation.seq)
    state.conversation_version += 1
    return Reply.json({"id": conversation.id, "object": "conversation", "deleted": True})


def _replying_contact(state: SandboxState, body: dict[str, Any]) -> Contact:
    contact = find_contact_by(
        state,
        intercom_user_id=body.get("intercom_user_id"),
        user_id=body.get("user_id"),
        email=body.get("email"),
    )
    if contact is None:
        raise user_not_found()
    return contact


def _conversation_to_reply_to(state: SandboxState, call: Call) -> Conversation:
    """The conversation named in the path; ``last`` is the replier's latest conversation.

    An admin's ``last`` is the workspace's most recently updated conversation; a contact's
    is the most recently updated one they take part in.
    """
    conversation_id = call.path["conversation_id"]
    if conversation_id != "last":
        return find_conversation(state, conversation_id)
    candidates = list(state.conversations.values())
    if call.data.get("type") != "admin":
        seq = _replying_contact(state, call.data).seq
        candidates = [c for c in candidates if seq in c.contact_seqs]
    if not candidates:
        raise not_found()
    return max(candidates, key=lambda c: (c.updated_at, c.seq))


def reply_to_conversation(state: SandboxState, call: Call) -> Reply:
    conversation = _conversation_to_reply_to(state, call)
    body = call.data
    message_type = body.get("message_type")
    text = body.get("body")
    if message_type in ("comment", "note") and not text and not body.get("attachment_urls"):
        raise invalid("body is required for a comment or a note", "body")
    if body.get("type") == "admin":
        admin = find_admin(state, body.get("admin_id"))
        _add_part(state, conversation, str(message_type), ("admin", admin.id), text)
        if message_type != "note":
            conversation.waiting_since = None
    else:
        contact = _replying_contact(state, body)
        if contact.seq not in conversation.contact_seqs:
            conversation.contact_seqs.append(contact.seq)
        _add_part(
            state,
            conversation,
            str(message_type),
            (contact.role, state.contacts.id_of(contact)),
            text,
        )
        conversation.state = "open"
        conversation.snoozed_until = None
        conversation.waiting_since = conversation.waiting_since or state.now()
        contact.last_replied_at = state.now()
    return _changed(state, conversation)


def manage_conversation(state: SandboxState, call: Call) -> Reply:
    conversation = find_conversation(state, call.path["conversation_id"])
    body = call.data
    admin = find_admin(state, body.get("admin_id"))
    author = ("admin", admin.id)
    action = body.get("message_type")
    if action == "close":
        conversation.state = "closed"
        conversation.waiting_since = conversation.snoozed_until = None
        _add_part(state, conversation, "close", author, body.get("body"))
    elif action == "open":
        conversation.state = "open"
        conversation.snoozed_until = None
        _add_part(state, conversation, "open", author)
    elif action == "snoozed":
        conversation.state = "snoozed"
        conversation.snoozed_until = int(body["snoozed_until"])
        _add_part(state, conversation, "snoozed", author)
    else:
        kind = body.get("type", "admin")
        assignee = str(body.get("assignee_id"))
        if assignee != "0":
            if kind == "team" and assignee not in state.teams:
                raise ApiError(404, "team_not_found", "Team not found", field_name="assignee_id")
            if kind == "admin":
                find_admin(state, assignee, "assignee_id")
        value = None if assignee == "0" else assignee
        if kind == "team":
            conversation.team_assignee_id = value
        else:
            conversation.admin_assignee_id = value
        _add_part(state, conversation, "assignment", author, body.get("body"), (kind, assignee))
    return _changed(state, conversation)


def attach_contact_to_conversation(state: SandboxState, call: Call) -> Reply:
    conversation = find_conversation(state, call.path["conversation_id"])
    customer = call.data.get("customer") or {}
    contact = find_contact_by(
        state,
        intercom_user_id=customer.get("intercom_user_id"),
        user_id=customer.get("user_id"),
        email=customer.get("email"),
    )
    if contact is None and customer.get("email"):
        # Intercom creates a lead for an unknown email.
        store = state.contacts
        contact = store.add(Contact(store.next_seq(), "lead", state.now(), email=customer["email"]))
    if contact is None:
        raise user_not_found()
    if contact.seq not in conversation.contact_seqs:
        conversation.contact_seqs.append(contact.seq)
    return _changed(state, conversation)


def detach_contact_from_conversation(state: SandboxState, call: Call) -> Reply:
    conversation = find_conversation(state, call.path["conversation_id"])
    find_admin(state, call.data.get("admin_id"))
    contact = state.contacts.get(call.path["contact_id"])
    if contact is None or contact.seq not in conversation.contact_seqs:
        raise user_not_found()
    if len(conversation.contact_seqs) == 1:
        raise ApiError(422, "parameter_invalid", "A conversation must keep at least one contact")
    conversation.contact_seqs.remove(contact.seq)
    return _changed(state, conversation)


def _source_getter(key: str, within: str | None = None) -> Callable[[Conversation], Any]:
    def get(conversation: Conversation) -> Any:
        source = conversation.source
        if within is not None:
            source = source.get(within) or {}
        return source.get(key)

    return get


def conversation_fields(state: SandboxState) -> Resolver[Conversation]:
    store = state.contacts

    def contact_ids(c: Conversation) -> set[str]:
        return {f"{store.id_prefix}{seq:016x}" for seq in c.contact_seqs}

    def teammate_ids(c: Conversation) -> set[str]:
        return {p["author"][1] for p in c.parts if p["author"][0] == "admin"}

    fixed: dict[str, Field[Conversation]] = {
        "id": Field("id", lambda c: c.id),
        "created_at": Field("timestamp", lambda c: c.created_at),
        "updated_at": Field("timestamp", lambda c: c.updated_at),
        "waiting_since": Field("timestamp", lambda c: c.waiting_since),
        "snoozed_until": Field("timestamp", lambda c: c.snoozed_until),
        "open": Field("boolean", lambda c: c.state == "open"),
        "read": Field("boolean", lambda c: c.read),
        "state": Field("string", lambda c: c.state),
        "priority": Field("string", lambda c: c.priority),
        "title": Field("string", lambda c: c.title),
        "admin_assignee_id": Field("integer", lambda c: _int_or_none(c.admin_assignee_id)),
        "team_assignee_id": Field("integer", lambda c: _int_or_none(c.team_assignee_id)),
        "contact_ids": Field("set", contact_ids),
        "teammate_ids": Field("set", teammate_ids),
        "tag_ids": Field("set", lambda c: set(c.tag_ids)),
    }
    for key in ("type", "id", "delivered_as", "subject", "body"):
        fixed[f"source.{key}"] = Field("string", _source_getter(key))
    for key in ("id", "type", "name", "email"):
        fixed[f"source.author.{key}"] = Field("string", _source_getter(key, "author"))

    def resolve(name: str) -> Field[Conversation] | None:
        if name.startswith("custom_attributes.") and len(name) > len("custom_attributes."):
            key = name.split(".", 1)[1]
            return Field("any", lambda c: c.custom_attributes.get(key))
        return fixed.get(name)

    return resolve


def search_conversations(state: SandboxState, call: Call) -> Reply:
    def items() -> list[Conversation]:
        return [state.conversations_by_seq[s] for s in state.conversation_order]

    page, pages, total = run_search(
        state, call, "conversations", items, conversation_fields(state), DEFAULT_PER_PAGE
    )
    return Reply.json(
        {
            "type": "conversation.list",
            "pages": pages,
            "total_count": total,
            "conversations": [render_conversation(state, c, with_parts=False) for c in page],
        }
    )


HANDLERS: dict[str, Handler] = {
    "list_conversations": list_conversations,
    "create_conversation": create_conversation,
    "get_conversation": get_conversation,
    "update_conversation": update_conversation,
    "delete_conversation": delete_conversation,
    "reply_to_conversation": reply_to_conversation,
    "manage_conversation": manage_conversation,
    "attach_contact_to_conversation": attach_contact_to_conversation,
    "detach_contact_from_conversation": detach_contact_from_conversation,
    "search_conversations": search_conversations,
}
