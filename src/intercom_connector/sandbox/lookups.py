"""Find records by the ids clients send, failing with the error Intercom gives for each kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .replies import ApiError, not_found, user_not_found

if TYPE_CHECKING:
    from .contact_store import Contact
    from .records import Company, Conversation, Tag
    from .state import Admin, SandboxState


def find_contact(state: SandboxState, contact_id: str) -> Contact:
    """A live contact; merged-away ones answer 410 with a Link to the surviving contact."""
    store = state.contacts
    contact = store.get(contact_id)
    if contact is None:
        raise user_not_found()
    if contact.merged_into is not None:
        target = store.resolve_merge(contact)
        raise ApiError(
            410,
            "contact_merged",
            "This contact was merged into another contact; the Link header names it.",
            headers={"Link": f'</contacts/{store.id_of(target)}>; rel="canonical"'},
        )
    return contact


def find_contact_by(
    state: SandboxState,
    *,
    intercom_user_id: str | None = None,
    user_id: str | None = None,
    email: str | None = None,
) -> Contact | None:
    store = state.contacts
    contact: Contact | None = None
    if intercom_user_id:
        contact = store.get(intercom_user_id)
    elif user_id:
        contact = store.by_external_id(user_id)
    elif email:
        contact = store.by_email(email)
    if contact is None or contact.merged_into is not None:
        return None
    return contact


def find_company(state: SandboxState, company_id: str) -> Company:
    company = state.companies.get(company_id)
    if company is None:
        raise not_found("Company Not Found", code="company_not_found")
    return company


def find_admin(state: SandboxState, admin_id: object, field_name: str = "admin_id") -> Admin:
    admin = state.admins.get(str(admin_id))
    if admin is None:
        raise ApiError(404, "admin_not_found", "Admin not found", field_name=field_name)
    return admin


def find_tag(state: SandboxState, tag_id: object) -> Tag:
    tag = state.tags.get(str(tag_id))
    if tag is None:
        raise not_found()
    return tag


def find_conversation(state: SandboxState, conversation_id: str) -> Conversation:
    conversation = state.conversations.get(conversation_id)
    if conversation is None:
        raise not_found()
    return conversation
