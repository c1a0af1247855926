"""Hand-curated facts the OpenAPI description does not carry.

The generator (``catalog/generator.py``) combines these tables with the pinned spec. They hold
what a person has to decide: names that read well, the display names users know from the
connector page, how each list paginates, and which permission scope an operation needs.
Everything here is keyed by the spec's operationId, or by ``"METHOD /path"`` for the few
operations that have none.
"""

from __future__ import annotations

from typing import Any

# operationId (or "METHOD /path") -> stable snake_case name, where the name derived from the
# spec's summary would not read well or would clash.
NAMES: dict[str, str] = {
    "setAwayAdmin": "set_admin_away",
    "POST /export/reporting_data/enqueue": "create_reporting_export_job",
    "GET /export/reporting_data/{job_identifier}": "get_reporting_export_job",
    "GET /export/reporting_data/get_datasets": "list_reporting_datasets",
    "GET /download/reporting_data/{job_identifier}": "download_reporting_export_data",
    "startFinConversation": "start_fin_conversation",
    "submitFinCsat": "submit_fin_csat",
    "listHelpCenterRedirects": "list_help_center_redirects",
    "createHelpCenterRedirect": "create_help_center_redirect",
    "retrieveHelpCenterRedirect": "get_help_center_redirect",
    "deleteHelpCenterRedirect": "delete_help_center_redirect",
    "listInternalArticles": "list_internal_articles",
    "attachTagToArticle": "attach_tag_to_article",
    "detachTagFromArticle": "detach_tag_from_article",
    "attachTagToInternalArticle": "attach_tag_to_internal_article",
    "detachTagFromInternalArticle": "detach_tag_from_internal_article",
    "attachTagToContentSnippet": "attach_tag_to_content_snippet",
    "detachTagFromContentSnippet": "detach_tag_from_content_snippet",
    "attachTagToConversation": "attach_tag_to_conversation",
    "detachTagFromConversation": "detach_tag_from_conversation",
    "attachTagToContact": "attach_tag_to_contact",
    "detachTagFromContact": "detach_tag_from_contact",
    "attachTagToTicket": "attach_tag_to_ticket",
    "detachTagFromTicket": "detach_tag_from_ticket",
    "searchArticles": "search_articles",
    "searchInternalArticles": "search_internal_articles",
    "getIpAllowlist": "get_ip_allowlist",
    "updateIpAllowlist": "update_ip_allowlist",
    "retrieveCompany": "find_companies",
    "RetrieveACompanyById": "get_company",
    "ListAttachedSegmentsForCompanies": "list_company_segments",
    "scrollOverAllCompanies": "scroll_companies",
    "listCompaniesForAContact": "list_attached_companies",
    "listNotes": "list_contact_notes",
    "createNote": "create_contact_note",
    "listSegmentsForAContact": "list_contact_segments",
    "listSubscriptionsForAContact": "list_contact_subscriptions",
    "attachSubscriptionTypeToContact": "attach_subscription_to_contact",
    "detachSubscriptionTypeToContact": "detach_subscription_from_contact",
    "listTagsForAContact": "list_contact_tags",
    "MergeContact": "merge_contacts",
    "ListContactMergeHistory": "list_contact_merge_history",
    "listContactBanners": "list_contact_banners",
    "dismissContactBanner": "dismiss_contact_banner",
    "bulkContentActions": "run_content_bulk_action",
    "searchContent": "search_content",
    "detachContactFromConversation": "detach_contact_from_conversation",
    "createConversationAttributeOption": "create_conversation_attribute_option",
    "updateConversationAttributeOption": "update_conversation_attribute_option",
    "deleteConversationAttributeOption": "archive_conversation_attribute_option",
    "getCustomObjectInstancesById": "get_custom_object_instance",
    "listDataConnectorExecutionResults": "list_data_connector_execution_results",
    "showDataConnectorExecutionResult": "get_data_connector_execution_result",
    "dataEventSummaries": "create_data_event_summaries",
    "createDataExport": "create_export_job",
    "getDataExport": "get_export_job",
    "cancelDataExport": "cancel_export_job",
    "downloadDataExport": "download_export_data",
    "RetrieveWhatsAppMessageStatus": "get_whatsapp_message_status",
    "getWhatsAppMessageStatus": "list_whatsapp_message_statuses",
    "showCallRecording": "get_call_recording",
    "showCallTranscript": "get_call_transcript",
    "createTag": "create_or_update_tag",
    "findTag": "get_tag",
    "createTicketTypeAttribute": "create_ticket_type_attribute",
    "updateTicketTypeAttribute": "update_ticket_type_attribute",
    "retrieveVisitorWithUserId": "get_visitor",
}

# Display names from the connector page and its releases, and other names people type.
ALIASES: dict[str, list[str]] = {
    "list_contacts": ["List contacts"],
    "list_attached_companies": ["List attached companies", "List companies of contact"],
    "archive_contact": ["Archive contact"],
    "unarchive_contact": ["Unarchive contact"],
    "attach_contact_to_company": ["Attach contact to company"],
    "detach_contact_from_company": ["Detach contact from company"],
    "attach_tag_to_contact": ["Attach tag to contact", "Tag contact"],
    "detach_tag_from_contact": ["Detach tag from contact", "Untag contact"],
    "create_export_job": ["Create export job", "Create message data export"],
    "get_export_job": ["Get export job", "Get export job status"],
    "cancel_export_job": ["Cancel export job"],
    "search_contacts": ["Search contacts"],
    "submit_data_event": ["Submit data event", "Create event"],
    "list_data_events": ["List events", "List data events"],
    "identify_admin": ["Get me", "Identify admin"],
    "create_or_update_tag": ["Create tag", "Create or update tag", "Tag companies"],
    "create_or_update_company": ["Create company", "Update company by company_id"],
    "get_contact": ["Get contact", "Retrieve contact"],
    "create_contact": ["Create contact"],
    "update_contact": ["Update contact"],
    "delete_contact": ["Delete contact"],
    "merge_contacts": ["Merge contacts", "Merge lead into user"],
    "list_companies": ["List companies"],
    "scroll_companies": ["Scroll companies"],
    "create_conversation": ["Create conversation"],
    "reply_to_conversation": ["Reply to conversation"],
    "list_conversations": ["List conversations"],
    "search_conversations": ["Search conversations"],
    "create_contact_note": ["Create note"],
    "list_contact_notes": ["List notes"],
    "list_segments": ["List segments"],
    "list_teams": ["List teams"],
    "list_admins": ["List admins"],
    "list_tags": ["List tags"],
}

# Operations derived from one spec operation by fixing some of its body fields: the connector
# page offers "Assign conversation", "Close conversation", ... where the API has one endpoint.
VARIANTS: list[dict[str, Any]] = [
    {
        "name": "assign_conversation",
        "base": "manageConversation",
        "fixed": {"message_type": "assignment"},
        "aliases": ["Assign conversation"],
    },
    {
        "name": "close_conversation",
        "base": "manageConversation",
        "fixed": {"message_type": "close"},
        "aliases": ["Close conversation"],
    },
    {
        "name": "open_conversation",
        "base": "manageConversation",
        "fixed": {"message_type": "open"},
        "aliases": ["Open conversation", "Reopen conversation"],
    },
    {
        "name": "snooze_conversation",
        "base": "manageConversation",
        "fixed": {"message_type": "snoozed"},
        "aliases": ["Snooze conversation"],
    },
]

# How each paginated operation pages. Keys not listed here do not paginate.
#   style: cursor | page | scroll | search_body | next_url
#   items: where the records live in the reply
# Optional, per style:
#   cursor: cursor_param (query name, default starting_after), next_cursor (dotted path in the
#           reply, default pages.next.starting_after)
#   page:   stop when page >= total_pages (pages.* or top level), or an empty page
PAGINATION: dict[str, dict[str, Any]] = {
    # cursor in the query string
    "ListContacts": {"style": "cursor", "items": "data", "per_page_max": 150},
    "listConversations": {"style": "cursor", "items": "conversations", "per_page_max": 150},
    "listMacros": {"style": "cursor", "items": "data"},
    "listActivityLogs": {"style": "cursor", "items": "activity_logs"},
    "listDataConnectors": {"style": "cursor", "items": "data"},
    "listDataConnectorExecutionResults": {"style": "cursor", "items": "data"},
    "getWhatsAppMessageStatus": {"style": "cursor", "items": "events"},
    "ListContactMergeHistory": {
        "style": "cursor",
        "items": "data",
        "cursor_param": "cursor",
        "next_cursor": "next_cursor",
    },
    # page / per_page
    "retrieveCompany": {"style": "page", "items": "data"},
    "listAllCompanies": {"style": "page", "items": "data"},
    "listCalls": {"style": "page", "items": "data"},
    "listAudiences": {"style": "page", "items": "data"},
    "listContentSnippets": {"style": "page", "items": "data"},
    "listCustomObjectInstances": {"style": "page", "items": "data"},
    "listSideConversations": {"style": "page", "items": "side_conversations"},
    "listHelpCenterRedirects": {"style": "page", "items": "data"},
    "listArticleVersions": {"style": "page", "items": "data"},
    "listArticles": {"style": "page", "items": "data"},
    "listInternalArticles": {"style": "page", "items": "data"},
    "listAllCollections": {"style": "page", "items": "data"},
    "listNewsItems": {"style": "page", "items": "data"},
    "listNewsfeeds": {"style": "page", "items": "data"},
    "listLiveNewsfeedItems": {"style": "page", "items": "data"},
    "searchContent": {"style": "page", "items": "data"},
    "searchActivityLogs": {"style": "page", "items": "activity_logs", "in_body": True},
    # not declared in the spec, but Intercom pages these (its SDK's definition adds page and
    # per_page); a server that ignores them answers one page with total_pages 1, which ends
    "listCompaniesForAContact": {"style": "page", "items": "companies"},
    "ListAttachedContacts": {"style": "page", "items": "data"},
    # scroll
    "scrollOverAllCompanies": {"style": "scroll", "items": "data"},
    # search: pagination lives in the request body
    "SearchContacts": {"style": "search_body", "items": "data", "per_page_max": 150},
    "searchConversations": {
        "style": "search_body",
        "items": "conversations",
        "per_page_max": 150,
    },
    "searchTickets": {"style": "search_body", "items": "tickets"},
    # pages.next is a full URL to follow
    "lisDataEvents": {"style": "next_url", "items": "events"},
    "listDeletedConversationIds": {"style": "next_url", "items": "conversations"},
}

# Where the records live for list replies that do not paginate (for `--all` and CSV output).
LIST_KEYS: dict[str, str] = {
    "listAdmins": "admins",
    "listSegments": "segments",
    "listTeams": "teams",
    "listTags": "data",
    "listCompanyNotes": "data",
    "listNotes": "data",
    "listTagsForAContact": "data",
    "listSegmentsForAContact": "data",
    "listSubscriptionsForAContact": "data",
    "ListAttachedSegmentsForCompanies": "data",
    "lisDataAttributes": "data",
    "listSubscriptionTypes": "data",
    "listHelpCenters": "data",
    "listTicketTypes": "data",
    "listTicketStates": "data",
    "listBrands": "data",
    "listEmails": "data",
    "listAwayStatusReasons": "data",
    "listOfficeHoursSchedules": "data",
    "listContentImportSources": "data",
    "listExternalPages": "data",
    "listConversationAttributes": "data",
}

# Replies that are files, where the spec's success response declares no content type.
ACCEPT: dict[str, str] = {
    "downloadDataExport": "application/octet-stream",
    "GET /download/reporting_data/{job_identifier}": "application/octet-stream",
}

# POSTs that only read (searches, listings): safe to resend, and they need a read scope.
READ_POSTS: set[str] = {
    "SearchContacts",
    "searchConversations",
    "searchTickets",
    "listAllCompanies",
    "searchActivityLogs",
    "listCallsWithTranscripts",
}

# POSTs that write, but doing them twice has the effect of doing them once (upserts keyed
# by the caller, attach, archive): safe to resend after a connection error or a 5xx.
IDEMPOTENT_POSTS: set[str] = {
    "createOrUpdateCompany",
    "createTag",
    "attachTagToContact",
    "attachTagToConversation",
    "attachTagToTicket",
    "attachTagToArticle",
    "attachTagToInternalArticle",
    "attachTagToContentSnippet",
    "attachContactToACompany",
    "attachSubscriptionTypeToContact",
    "ArchiveContact",
    "UnarchiveContact",
    "BlockContact",
    "createCustomObjectInstances",
}

# Permission scopes: our ids for the permissions an Intercom app is granted, each with a
# description a person choosing them can act on.
SCOPES: dict[str, str] = {
    "read_users_companies": "Read and list users, leads, companies and segments",
    "read_single_user_company": "Read one user and one company at a time",
    "write_users_companies": "Create, update, archive and delete users, leads and companies",
    "read_tags": "List all tags",
    "write_tags": "Create, update, apply and delete tags",
    "read_conversations": "View conversations and their parts",
    "write_conversations": "Reply to, assign, open, snooze and close conversations",
    "read_events": "List all events belonging to user",
    "write_events": "Submit events (user activity)",
    "read_counts": "Count users and companies matching criteria",
    "write_data_attributes": "Create and update custom data attributes",
    "export_content_data": "Export message and content engagement data",
    "export_reporting_data": "Export reporting datasets",
    "read_tickets": "View tickets, ticket types and ticket states",
    "write_tickets": "Create, update and reply to tickets",
    "read_admins": "List and view admins and teams",
    "update_admins": "Set admins away and update their status",
    "read_admin_activity_logs": "List admin activity logs",
    "read_articles": "List and view articles",
    "write_articles": "Create, update and publish articles",
    "read_help_center": "List and view help centers, collections and redirects",
    "write_help_center": "Create, update and delete collections and redirects",
    "read_news": "List and view news items and newsfeeds",
    "write_news": "Create, update and delete news items",
    "read_content": "List and view content snippets, AI content sources and knowledge content",
    "write_content": "Create, update and delete content snippets and AI content",
    "read_custom_objects": "List and view custom object instances",
    "write_custom_objects": "Create, update and delete custom object instances",
    "read_data_connectors": "List and view data connectors and their results",
    "write_data_connectors": "Create, update and delete data connectors",
    "read_office_hours": "List and view office hours schedules",
    "write_office_hours": "Create, update and delete office hours schedules",
    "read_calls": "List and view calls, recordings and transcripts",
    "write_calls": "Register and manage calls",
    "create_phone_call_redirects": "Create phone call redirects (Switch)",
    "manage_ip_allowlist": "Read and change the workspace IP allowlist",
    "read_workspace": "Read workspace settings: brands, email settings, away reasons",
    "read_jobs": "Read the status of asynchronous jobs",
    "read_workflows": "Export workflows",
    "write_messages": "Send messages to users and leads",
    "use_fin": "Start and reply to Fin conversations",
}

# Spec tag -> (scope for reading, scope for writing). The first tag of an operation decides.
TAG_SCOPES: dict[str, tuple[str, str]] = {
    "Admins": ("read_admins", "update_admins"),
    "AI Content": ("read_content", "write_content"),
    "Articles": ("read_articles", "write_articles"),
    "Audiences": ("read_users_companies", "write_users_companies"),
    "Away Status Reasons": ("read_workspace", "read_workspace"),
    "Banners": ("read_users_companies", "write_users_companies"),
    "Brands": ("read_workspace", "read_workspace"),
    "Calls": ("read_calls", "write_calls"),
    "Companies": ("read_users_companies", "write_users_companies"),
    "Contacts": ("read_users_companies", "write_users_companies"),
    "Content": ("read_content", "write_content"),
    "Content Snippets": ("read_content", "write_content"),
    "Conversations": ("read_conversations", "write_conversations"),
    "Conversations Attributes": ("read_conversations", "write_data_attributes"),
    "Custom Object Instances": ("read_custom_objects", "write_custom_objects"),
    "Data Attributes": ("read_users_companies", "write_data_attributes"),
    "Data Connectors": ("read_data_connectors", "write_data_connectors"),
    "Data Events": ("read_events", "write_events"),
    "Data Export": ("export_content_data", "export_content_data"),
    "Emails": ("read_workspace", "read_workspace"),
    "Fin Agent": ("use_fin", "use_fin"),
    "Help Center": ("read_help_center", "write_help_center"),
    "Internal Articles": ("read_articles", "write_articles"),
    "IP Allowlist": ("manage_ip_allowlist", "manage_ip_allowlist"),
    "Jobs": ("read_jobs", "read_jobs"),
    "Macros": ("read_conversations", "write_conversations"),
    "Messages": ("read_conversations", "write_messages"),
    "News": ("read_news", "write_news"),
    "Notes": ("read_users_companies", "write_users_companies"),
    "Office Hours": ("read_office_hours", "write_office_hours"),
    "Reporting Data Export": ("export_reporting_data", "export_reporting_data"),
    "Segments": ("read_users_companies", "read_users_companies"),
    "Subscription Types": ("read_users_companies", "write_users_companies"),
    "Switch": ("create_phone_call_redirects", "create_phone_call_redirects"),
    "Tags": ("read_tags", "write_tags"),
    "Teams": ("read_admins", "read_admins"),
    "Ticket States": ("read_tickets", "write_tickets"),
    "Ticket Type Attributes": ("read_tickets", "write_tickets"),
    "Ticket Types": ("read_tickets", "write_tickets"),
    "Tickets": ("read_tickets", "write_tickets"),
    "Visitors": ("read_users_companies", "write_users_companies"),
    "WhatsApp": ("read_conversations", "write_messages"),
    "Workflows": ("read_workflows", "read_workflows"),
}

# Per-operation scope exceptions to the tag rule.
SCOPE_OVERRIDES: dict[str, str | None] = {
    "listActivityLogs": "read_admin_activity_logs",
    "searchActivityLogs": "read_admin_activity_logs",
    "listActivityLogEventTypes": "read_admin_activity_logs",
    # any valid token may ask who it belongs to: that is how a connection is tested
    "identifyAdmin": None,
}

# Input fields the spec documents only in prose but Intercom accepts (facts, not prose).
EXTRA_QUERY_FIELDS: dict[str, dict[str, dict[str, Any]]] = {
    "cursor": {
        "per_page": {"type": "integer", "minimum": 1, "maximum": 150},
        "starting_after": {"type": "string"},
    },
    "page": {
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 150},
    },
}

# Operations the connector adds beyond the spec; executed by catalog/composite.py.
COMPOSITES: list[dict[str, Any]] = [
    {
        "name": "download_export_job",
        "title": "Download export job",
        "tags": ["Data Export"],
        "method": "GET",
        "path": "/download/content/data/{job_identifier}",
        "scope": "export_content_data",
        "aliases": ["Download export job", "Download export"],
        "input_schema": {
            "type": "object",
            "properties": {
                "job_identifier": {"type": "string", "minLength": 1, "x-in": "path"},
                "directory": {"type": "string", "x-in": "local"},
            },
            "required": ["job_identifier"],
            "additionalProperties": False,
        },
    },
    {
        "name": "raw_http_request",
        "title": "Raw HTTP request",
        "tags": ["Universal"],
        "method": "ANY",
        "path": "{endpoint}",
        "scope": None,
        "aliases": ["Raw HTTP request", "Universal operation", "HTTP request"],
        "input_schema": {
            "type": "object",
            "properties": {
                "method": {
                    "type": "string",
                    "enum": ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
                },
                "endpoint": {"type": "string", "minLength": 1},
                "query": {
                    "type": "object",
                    "additionalProperties": {"type": ["string", "integer", "number", "boolean"]},
                },
                "headers": {"type": "object", "additionalProperties": {"type": "string"}},
                "body": {},
                "allow_error_status": {"type": "boolean", "default": False},
            },
            "required": ["method", "endpoint"],
            "additionalProperties": False,
        },
    },
]
