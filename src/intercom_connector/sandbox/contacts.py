"""Contacts: create, read, update, delete, archive, merge, cursor listing and search.

Behaviour follows Intercom where clients trip over it: duplicates answer 409 with the
existing id (what makes retried creates detectable), merged contacts answer 410 with a Link
header, archived and merged contacts leave listings and search, unknown custom attributes
are refused, and search paginates in the body (a ``starting_after`` in the query string is
ignored, so such a client reads page one forever, as it would against Intercom).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from .call import Call, Handler
from .contact_store import Contact, ContactStore
from .lookups import find_admin, find_contact
from .pagination import cursor_pages, decode_cursor, encode_cursor, per_page_value
from .replies import ApiError, Reply, dumps, invalid, user_not_found
from .search import Field, Resolver, run_search
from .state import SandboxState

LIST_DEFAULT_PER_PAGE = 10
SEARCH_DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 150
ROLES = ("user", "lead")
_WRITABLE_TIMESTAMPS = ("signed_up_at", "last_seen_at")


def _render_list(
    store: ContactStore, contacts: list[Contact], total: int, pages: dict[str, Any], history: bool
) -> Reply:
    data = ",".join(store.render(c, history) for c in contacts)
    return Reply.raw_json(
        f'{{"type":"list","data":[{data}],"total_count":{total},"pages":{dumps(pages)}}}'
    )


def _one(state: SandboxState, contact: Contact, call: Call) -> Reply:
    return Reply.raw_json(state.contacts.render(contact, call.flag("include_merge_history")))


def list_contacts(state: SandboxState, call: Call) -> Reply:
    store = state.contacts
    per_page = per_page_value(call.query.get("per_page"), LIST_DEFAULT_PER_PAGE, MAX_PER_PAGE)
    after: int | None = None
    cursor = call.query.get("starting_after")
    if cursor:
        last = decode_cursor(cursor)[-1]
        if not isinstance(last, int):
            raise invalid("starting_after is not a valid cursor", "starting_after")
        after = last
    page, start, more = store.page_after(after, per_page)
    next_cursor = None
    if more and page:
        tail = page[-1]
        next_cursor = encode_cursor([float(tail.created_at), tail.seq])
    total = len(store)
    pages = cursor_pages(start // per_page + 1, per_page, total, next_cursor)
    return _render_list(store, page, total, pages, call.flag("include_merge_history"))


def _check_custom_attributes(state: SandboxState, attrs: Any) -> dict[str, Any]:
    if attrs is None:
        return {}
    if not isinstance(attrs, dict):
        raise invalid("custom_attributes must be an object", "custom_attributes")
    known = {a["name"] for a in state.data_attributes if a["model"] == "contact" and a["custom"]}
    for name in attrs:
        if name not in known:
            raise invalid(
                f"Custom attribute '{name}' does not exist; create it with POST /data_attributes",
                f"custom_attributes.{name}",
            )
    return attrs


def _conflict(store: ContactStore, existing: Contact) -> ApiError:
    return ApiError(
        409,
        "conflict",
        f"A contact matching those details already exists with id={store.id_of(existing)}",
    )


def _check_unique(
    state: SandboxState, role: str, email: str | None, external_id: str | None, me: Contact | None
) -> None:
    store = state.contacts
    if external_id:
        other = store.by_external_id(external_id)
        if other is not None and other is not me and other.merged_into is None:
            raise _conflict(store, other)
    if email and role == "user":
        other = store.by_email(email)
        if other is not None and other is not me and other.role == "user":
            raise _conflict(store, other)


def _owner(owner_id: Any) -> str | None:
    """Versions before 2.16 send the owner's id as an integer; it is kept as text."""
    return None if owner_id is None else str(owner_id)


def _check_owner(state: SandboxState, owner_id: Any) -> None:
    if owner_id is not None:
        find_admin(state, owner_id, "owner_id")


def create_contact(state: SandboxState, call: Call) -> Reply:
    body = call.data
    role = body.get("role") or "user"
    if role not in ROLES:
        raise invalid(f"role must be one of {', '.join(ROLES)}", "role")
    email, external_id = body.get("email"), body.get("external_id")
    if not (email or external_id or body.get("role")):
        raise invalid("a contact needs at least an email, an external_id or a role")
    if body.get("email_verified") is not None and not email:
        raise invalid("email_verified can only be sent together with an email", "email_verified")
    _check_unique(state, role, email, external_id, None)
    _check_owner(state, body.get("owner_id"))
    attrs = _check_custom_attributes(state, body.get("custom_attributes"))
    store = state.contacts
    contact = Contact(
        store.next_seq(),
        role,
        state.now(),
        email=email,
        name=body.get("name"),
        external_id=external_id,
        phone=body.get("phone"),
        owner_id=_owner(body.get("owner_id")),
        signed_up_at=body.get("signed_up_at"),
        last_seen_at=body.get("last_seen_at"),
        custom_attributes=dict(attrs),
    )
    contact.avatar = body.get("avatar")
    contact.unsubscribed = bool(body.get("unsubscribed_from_emails") or False)
    store.add(contact)
    return _one(state, contact, call)


def get_contact(state: SandboxState, call: Call) -> Reply:
    return _one(state, find_contact(state, call.path["contact_id"]), call)


def get_contact_by_external_id(state: SandboxState, call: Call) -> Reply:
    contact = state.contacts.by_external_id(call.path["external_id"])
    if contact is None or contact.role != "user":
        raise user_not_found()
    return _one(state, find_contact(state, state.contacts.id_of(contact)), call)


def update_contact(state: SandboxState, call: Call) -> Reply:
    contact = find_contact(state, call.path["contact_id"])
    body = call.data
    role = body.get("role", contact.role)
    if role not in ROLES:
        raise invalid(f"role must be one of {', '.join(ROLES)}", "role")
    email = body.get("email", contact.email)
    external_id = body.get("external_id", contact.external_id)
    if body.get("email_verified") is not None and "email" not in body:
        raise invalid("email_verified can only be sent together with an email", "email_verified")
    _check_unique(state, role, email, external_id, contact)
    if "owner_id" in body:
        _check_owner(state, body["owner_id"])
    attrs = _check_custom_attributes(state, body.get("custom_attributes"))
    before = (contact.external_id, contact.email)
    contact.role, contact.email, contact.external_id = role, email, external_id
    for name in ("name", "phone", "avatar", *_WRITABLE_TIMESTAMPS):
        if name in body:
            setattr(contact, name, body[name])
    if "owner_id" in body:
        contact.owner_id = _owner(body["owner_id"])
    if "unsubscribed_from_emails" in body:
        contact.unsubscribed = bool(body["unsubscribed_from_emails"])
    if attrs:
        merged = dict(contact.custom_attributes)
        for key, value in attrs.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        contact.custom_attributes = merged
    contact.updated_at = state.now()
    state.contacts.reindex(contact, before)
    return _one(state, contact, call)


def delete_contact(state: SandboxState, call: Call) -> Reply:
    contact = find_contact(state, call.path["contact_id"])
    store = state.contacts
    reference = store.reference(contact)
    for company_id in contact.company_ids:
        company = state.companies.get(company_id)
        if company is not None:
            company.contact_seqs.discard(contact.seq)
    store.remove(contact)
    return Reply.json({**reference, "deleted": True})


def _set_archived(state: SandboxState, call: Call, archived: bool) -> Reply:
    contact = find_contact(state, call.path["contact_id"])
    state.contacts.set_archived(contact, archived)
    return Reply.json({**state.contacts.reference(contact), "archived": archived})


def archive_contact(state: SandboxState, call: Call) -> Reply:
    return _set_archived(state, call, True)


def unarchive_contact(state: SandboxState, call: Call) -> Reply:
    return _set_archived(state, call, False)


def merge_contacts(state: SandboxState, call: Call) -> Reply:
    body = call.data
    store = state.contacts
    lead = find_contact(state, str(body["from"]))
    user = find_contact(state, str(body["into"]))
    if lead is user:
        raise ApiError(400, "invalid_merge", "A contact cannot be merged into itself")
    if lead.role != "lead" or user.role != "user":
        raise ApiError(
            400, "invalid_merge", "Only a contact with role lead can be merged into a user"
        )
    duplicates = bool(
        (lead.email and user.email and lead.email.lower() == user.email.lower())
        or (lead.phone and lead.phone == user.phone)
    )
    if not duplicates and not body.get("skip_duplicate_validation"):
        raise ApiError(
            400,
            "invalid_merge",
            "The contacts share no email or phone; send skip_duplicate_validation=true to "
            "merge them anyway",
        )
    now = state.now()
    user.tag_ids = tuple(dict.fromkeys((*user.tag_ids, *lead.tag_ids)))
    user.note_ids = (*user.note_ids, *lead.note_ids)
    for company_id in lead.company_ids:
        company = state.companies.get(company_id)
        if company is not None:
            company.contact_seqs.discard(lead.seq)
            company.contact_seqs.add(user.seq)
    user.company_ids = tuple(dict.fromkeys((*user.company_ids, *lead.company_ids)))
    user.merge_history = (
        *user.merge_history,
        {
            "type": "merge_history_item",
            "source_contact_id": store.id_of(lead),
            "source_contact_role": "lead",
            "merged_at": now,
        },
    )
    user.updated_at = now
    store.mark_merged(lead, user)
    return _one(state, user, call)


# --- search ------------------------------------------------------------------------------

_DATE_FIELDS = (
    "created_at",
    "updated_at",
    "signed_up_at",
    "last_seen_at",
    "last_contacted_at",
    "last_replied_at",
)
_STRING_FIELDS = ("external_id", "role", "name", "email", "phone", "owner_id")
_ALWAYS_NULL = (
    "last_email_opened_at",
    "last_email_clicked_at",
    "language_override",
    "browser",
    "browser_version",
    "browser_language",
    "os",
    "avatar",
)
_LOCATION = {"location.country": 0, "location.region": 1, "location.city": 2}


def _always_null(contact: Contact) -> None:
    return None


def _location_part(index: int) -> Callable[[Contact], str | None]:
    def get(contact: Contact) -> str | None:
        return contact.location[index] if contact.location else None

    return get


def contact_fields(state: SandboxState) -> Resolver[Contact]:
    store = state.contacts

    def segment_ids(c: Contact) -> set[str]:
        return {s.id for s in state.segments.values() if s.model == "contact" and s.role == c.role}

    fixed: dict[str, Field[Contact]] = {
        "id": Field("string", store.id_of),
        "email_domain": Field("string", lambda c: c.email_domain),
        "unsubscribed_from_emails": Field("boolean", lambda c: c.unsubscribed),
        "has_hard_bounced": Field("boolean", lambda c: False),
        "marked_email_as_spam": Field("boolean", lambda c: False),
        "tag_id": Field("set", lambda c: c.tag_ids),
        "segment_id": Field("set", segment_ids),
        "company_id": Field("set", lambda c: c.company_ids),
    }
    for name in _DATE_FIELDS:
        fixed[name] = Field("date", attrgetter(name))
    for name in _STRING_FIELDS:
        fixed[name] = Field("string", attrgetter(name))
    for name in _ALWAYS_NULL:
        fixed[name] = Field("string", _always_null)
    for name, index in _LOCATION.items():
        fixed[name] = Field("string", _location_part(index))

    def resolve(name: str) -> Field[Contact] | None:
        if name.startswith("custom_attributes.") and len(name) > len("custom_attributes."):
            key = name.split(".", 1)[1]
            return Field("any", lambda c: c.custom_attributes.get(key))
        return fixed.get(name)

    return resolve


def search_contacts(state: SandboxState, call: Call) -> Reply:
    store = state.contacts
    page, pages, total = run_search(
        state,
        call,
        "contacts",
        store.listable,
        contact_fields(state),
        SEARCH_DEFAULT_PER_PAGE,
    )
    return _render_list(store, page, total, pages, call.flag("include_merge_history"))


HANDLERS: dict[str, Handler] = {
    "list_contacts": list_contacts,
    "create_contact": create_contact,
    "get_contact": get_contact,
    "get_contact_by_external_id": get_contact_by_external_id,
    "update_contact": update_contact,
    "delete_contact": delete_contact,
    "archive_contact": archive_contact,
    "unarchive_contact": unarchive_contact,
    "merge_contacts": merge_contacts,
    "search_contacts": search_contacts,
}
