"""Which resource module answers each hand-modelled operation, imported on first use.

Importing every resource's handlers costs a one-request sandbox (``call --sandbox``) more
than the request itself, so the app looks an operation up here and imports its module
when the first request for it arrives. The table is data so that nothing has to be
imported to read it; ``tests/sandbox/test_sandbox_handler_table.py`` checks it against the
``HANDLERS`` of every module it names, so it cannot go stale. Operations outside it are
answered by the generic collections (``collection_handlers``) or a schema-shaped reply.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .call import Handler

HANDLER_MODULES: dict[str, str] = {
    "list_contacts": "contacts",
    "create_contact": "contacts",
    "get_contact": "contacts",
    "get_contact_by_external_id": "contacts",
    "update_contact": "contacts",
    "delete_contact": "contacts",
    "archive_contact": "contacts",
    "unarchive_contact": "contacts",
    "merge_contacts": "contacts",
    "search_contacts": "contacts",
    "create_or_update_company": "companies",
    "find_companies": "companies",
    "get_company": "companies",
    "update_company": "companies",
    "delete_company": "companies",
    "list_companies": "companies",
    "scroll_companies": "companies",
    "list_attached_companies": "companies",
    "attach_contact_to_company": "companies",
    "detach_contact_from_company": "companies",
    "list_attached_contacts": "companies",
    "list_conversations": "conversations",
    "create_conversation": "conversations",
    "get_conversation": "conversations",
    "update_conversation": "conversations",
    "delete_conversation": "conversations",
    "reply_to_conversation": "conversations",
    "manage_conversation": "conversations",
    "attach_contact_to_conversation": "conversations",
    "detach_contact_from_conversation": "conversations",
    "search_conversations": "conversations",
    "submit_data_event": "events",
    "list_data_events": "events",
    "create_export_job": "exports",
    "get_export_job": "exports",
    "cancel_export_job": "exports",
    "download_export_data": "exports",
    "list_tags": "tags_notes",
    "get_tag": "tags_notes",
    "create_or_update_tag": "tags_notes",
    "delete_tag": "tags_notes",
    "list_contact_tags": "tags_notes",
    "attach_tag_to_contact": "tags_notes",
    "detach_tag_from_contact": "tags_notes",
    "attach_tag_to_conversation": "tags_notes",
    "detach_tag_from_conversation": "tags_notes",
    "list_contact_notes": "tags_notes",
    "create_contact_note": "tags_notes",
    "get_note": "tags_notes",
    "list_company_notes": "tags_notes",
    "create_company_note": "tags_notes",
    "identify_admin": "workspace",
    "list_admins": "workspace",
    "get_admin": "workspace",
    "set_admin_away": "workspace",
    "list_teams": "workspace",
    "get_team": "workspace",
    "list_segments": "workspace",
    "get_segment": "workspace",
    "list_contact_segments": "workspace",
    "list_company_segments": "workspace",
    "list_data_attributes": "workspace",
    "create_data_attribute": "workspace",
    "update_data_attribute": "workspace",
}
"""Operation name -> the module (in this package) whose ``HANDLERS`` holds its handler."""

COLLECTIONS_MODULE = "collection_handlers"


def modelled_operations() -> frozenset[str]:
    """The operations answered by hand-written resource models."""
    return frozenset(HANDLER_MODULES)


@cache
def handler_for(name: str) -> Handler | None:
    """The handler of operation ``name``; ``None`` where a schema-shaped reply answers."""
    module = import_module(f"{__package__}.{HANDLER_MODULES.get(name, COLLECTIONS_MODULE)}")
    handlers: dict[str, Handler] = module.HANDLERS
    return handlers.get(name)
