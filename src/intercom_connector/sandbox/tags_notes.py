"""Tags (on contacts, companies and conversations) and notes (on contacts and companies)."""

from __future__ import annotations

from typing import Any

from .call import Call, Handler
from .lookups import find_admin, find_company, find_contact, find_conversation, find_tag
from .pagination import numbered_pages
from .records import Note, Tag
from .replies import ApiError, Reply, invalid, not_found, user_not_found
from .state import SandboxState
from .workspace import render_admin


def render_tag(tag: Tag) -> dict[str, Any]:
    return {"type": "tag", "id": tag.id, "name": tag.name}


def render_applied_tag(state: SandboxState, tag: Tag) -> dict[str, Any]:
    return {
        **render_tag(tag),
        "applied_at": tag.created_at,
        "applied_by": {"type": "admin", "id": state.first_admin.id},
    }


def list_tags(state: SandboxState, call: Call) -> Reply:
    return Reply.json({"type": "list", "data": [render_tag(t) for t in state.tags.values()]})


def get_tag(state: SandboxState, call: Call) -> Reply:
    return Reply.json(render_tag(find_tag(state, call.path["tag_id"])))


def _tag_named(state: SandboxState, name: str) -> Tag:
    for tag in state.tags.values():
        if tag.name == name:
            return tag
    tag = Tag(state.ids.next_number("tag", 100 + state.config.tags), name, state.now())
    state.tags[tag.id] = tag
    return tag


def _tag_companies(state: SandboxState, tag: Tag, items: list[Any]) -> list[dict[str, Any]]:
    results = []
    for item in items:
        ref = item.get("id") if isinstance(item, dict) else None
        remote = item.get("company_id") if isinstance(item, dict) else None
        company_id = ref or (state.company_by_remote_id.get(str(remote)) if remote else None)
        if not company_id or company_id not in state.companies:
            raise ApiError(404, "company_not_found", "Company Not Found")
        company = state.companies[company_id]
        untag = bool(item.get("untag"))
        if untag and tag.id in company.tag_ids:
            company.tag_ids.remove(tag.id)
        elif not untag and tag.id not in company.tag_ids:
            company.tag_ids.append(tag.id)
        results.append({"id": company.id, "tagged": not untag})
    return results


def _tag_users(state: SandboxState, tag: Tag, items: list[Any]) -> list[dict[str, Any]]:
    results = []
    for item in items:
        contact = state.contacts.get(str(item.get("id"))) if isinstance(item, dict) else None
        if contact is None or contact.merged_into is not None:
            raise user_not_found()
        if tag.id not in contact.tag_ids:
            contact.tag_ids = (*contact.tag_ids, tag.id)
        results.append({"id": state.contacts.id_of(contact), "tagged": True})
    state.contacts.touch()
    return results


def create_or_update_tag(state: SandboxState, call: Call) -> Reply:
    body = call.data
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise invalid("a tag needs a name", "name")
    if body.get("id") is not None and not body.get("companies") and not body.get("users"):
        tag = find_tag(state, body["id"])
        tag.name = name
        return Reply.json(render_tag(tag))
    tag = _tag_named(state, name)
    reply: dict[str, Any] = render_tag(tag)
    if body.get("companies"):
        reply["companies"] = _tag_companies(state, tag, body["companies"])
    if body.get("users"):
        reply["users"] = _tag_users(state, tag, body["users"])
    return Reply.json(reply)


def delete_tag(state: SandboxState, call: Call) -> Reply:
    tag = find_tag(state, call.path["tag_id"])
    for contact in state.contacts.records():
        if tag.id in contact.tag_ids:
            contact.tag_ids = tuple(t for t in contact.tag_ids if t != tag.id)
    for company in state.companies.values():
        if tag.id in company.tag_ids:
            company.tag_ids.remove(tag.id)
    for conversation in state.conversations.values():
        if tag.id in conversation.tag_ids:
            conversation.tag_ids.remove(tag.id)
    del state.tags[tag.id]
    state.contacts.touch()
    state.conversation_version += 1
    return Reply.empty(200)


def list_contact_tags(state: SandboxState, call: Call) -> Reply:
    contact = find_contact(state, call.path["contact_id"])
    data = [render_applied_tag(state, state.tags[t]) for t in contact.tag_ids if t in state.tags]
    return Reply.json({"type": "list", "data": data})


def attach_tag_to_contact(state: SandboxState, call: Call) -> Reply:
    contact = find_contact(state, call.path["contact_id"])
    tag = find_tag(state, call.data["id"])
    if tag.id not in contact.tag_ids:
        contact.tag_ids = (*contact.tag_ids, tag.id)
        state.contacts.touch()
    return Reply.json(render_applied_tag(state, tag))


def detach_tag_from_contact(state: SandboxState, call: Call) -> Reply:
    contact = find_contact(state, call.path["contact_id"])
    tag = find_tag(state, call.path["tag_id"])
    contact.tag_ids = tuple(t for t in contact.tag_ids if t != tag.id)
    state.contacts.touch()
    return Reply.json(render_applied_tag(state, tag))


def attach_tag_to_conversation(state: SandboxState, call: Call) -> Reply:
    conversation = find_conversation(state, call.path["conversation_id"])
    find_admin(state, call.data["admin_id"])
    tag = find_tag(state, call.data["id"])
    if tag.id not in conversation.tag_ids:
        conversation.tag_ids.append(tag.id)
        state.conversation_version += 1
    return Reply.json(render_applied_tag(state, tag))


def detach_tag_from_conversation(state: SandboxState, call: Call) -> Reply:
    conversation = find_conversation(state, call.path["conversation_id"])
    find_admin(state, call.data["admin_id"])
    tag = state.tags.get(call.path["tag_id"])
    if tag is None:
        raise ApiError(404, "tag_not_found", "Tag not found")
    if tag.id in conversation.tag_ids:
        conversation.tag_ids.remove(tag.id)
        state.conversation_version += 1
    return Reply.json(render_applied_tag(state, tag))


def render_note(state: SandboxState, note: Note) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "note", "id": note.id, "created_at": note.created_at}
    if note.contact_seq is not None:
        contact = state.contacts.by_seq(note.contact_seq)
        cid = state.contacts.id_of(contact) if contact is not None else None
        out["contact"] = {"type": "contact", "id": cid}
    if note.company_id is not None:
        out["company"] = {"type": "company", "id": note.company_id}
    admin = state.admins.get(note.author_id)
    out["author"] = render_admin(admin) if admin is not None else None
    out["body"] = note.body
    return out


NOTES_PER_PAGE = 15


def _page_number(call: Call, name: str, default: int) -> int:
    """``page``/``per_page`` on notes: undeclared in the spec, sent by clients, honoured."""
    raw = call.raw(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise invalid(f"{name} must be a positive integer", name)
    return int(raw)


def _note_list(state: SandboxState, call: Call, note_ids: Any) -> Reply:
    ids = [n for n in reversed(list(note_ids)) if n in state.notes]
    page = _page_number(call, "page", 1)
    per_page = min(_page_number(call, "per_page", NOTES_PER_PAGE), 150)
    chosen = ids[(page - 1) * per_page : page * per_page]
    return Reply.json(
        {
            "type": "list",
            "data": [render_note(state, state.notes[n]) for n in chosen],
            "total_count": len(ids),
            "pages": numbered_pages(page, per_page, len(ids)),
        }
    )


def _new_note(state: SandboxState, call: Call, **target: Any) -> Note:
    body = call.data
    admin_id = body.get("admin_id")
    author = find_admin(state, admin_id) if admin_id is not None else state.first_admin
    text = body["body"]
    note = Note(
        id=state.ids.next_number("note", 1 + state.config.notes),
        body=text if text.startswith("<") else f"<p>{text}</p>",
        created_at=state.now(),
        author_id=author.id,
        **target,
    )
    state.notes[note.id] = note
    return note


def list_contact_notes(state: SandboxState, call: Call) -> Reply:
    contact = find_contact(state, call.path["contact_id"])
    return _note_list(state, call, contact.note_ids)


def create_contact_note(state: SandboxState, call: Call) -> Reply:
    contact = find_contact(state, call.path["contact_id"])
    note = _new_note(state, call, contact_seq=contact.seq)
    contact.note_ids = (*contact.note_ids, note.id)
    state.contacts.touch()
    return Reply.json(render_note(state, note))


def get_note(state: SandboxState, call: Call) -> Reply:
    note = state.notes.get(call.path["note_id"])
    if note is None:
        raise not_found()
    return Reply.json(render_note(state, note))


def list_company_notes(state: SandboxState, call: Call) -> Reply:
    company = find_company(state, call.path["company_id"])
    return _note_list(state, call, company.note_ids)


def create_company_note(state: SandboxState, call: Call) -> Reply:
    company = find_company(state, call.path["company_id"])
    note = _new_note(state, call, company_id=company.id)
    company.note_ids.append(note.id)
    return Reply.json(render_note(state, note))


HANDLERS: dict[str, Handler] = {
    "list_tags": list_tags,
    "get_tag": get_tag,
    "create_or_update_tag": create_or_update_tag,
    "delete_tag": delete_tag,
    "list_contact_tags": list_contact_tags,
    "attach_tag_to_contact": attach_tag_to_contact,
    "detach_tag_from_contact": detach_tag_from_contact,
    "attach_tag_to_conversation": attach_tag_to_conversation,
    "detach_tag_from_conversation": detach_tag_from_conversation,
    "list_contact_notes": list_contact_notes,
    "create_contact_note": create_contact_note,
    "get_note": get_note,
    "list_company_notes": list_company_notes,
    "create_company_note": create_company_note,
}
