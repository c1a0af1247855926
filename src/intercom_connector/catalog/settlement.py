"""Settlement rules: how to tell whether a write that may have reached Intercom was applied.

A non-idempotent operation whose request went out but whose answer never came back (the
process was killed, the connection dropped, Intercom answered 5xx) may or may not have been
applied. Sending it again blindly can duplicate a contact or a note; giving up strands the
run. Before such a write is ever sent again, the engine *settles* it with the rule here:

- ``resend``: applying it twice leaves the same state (tagging, attaching), or
  Intercom itself refuses the duplicate, so it is simply sent again;
- ``look up``: a lookup finds what the first attempt made (``find``), which is adopted as
  the step's output; when nothing is found the write is sent again;
- no rule: the operation cannot be checked; the run stops and says what to check.

Rules are data, one per operation, and take a small calling interface (``Caller``: any
object with ``async call(name, data)``), not the client class, so this module imports
nothing above the catalog's own reconciler. ``docs/workflows.md`` ("Settlement") holds the
table a person reads.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from intercom_connector.http import NotFound

CLOCK_SKEW = 5.0
"""Seconds by which Intercom's ``created_at`` may trail our clock and still count."""


class Caller(Protocol):
    async def call(self, name: str, data: dict[str, Any] | None = None) -> Any: ...


Find = Callable[[Caller, dict[str, Any], float], Awaitable[Any]]
"""(caller, the write's input, when the first attempt was sent) -> what it made, or None."""


@dataclass(frozen=True)
class SettlementRule:
    operation: str
    how: str
    """How the rule settles, in a sentence for the docs and for messages."""
    find: Find | None = None
    """None: resend (the write is idempotent, or Intercom refuses the duplicate)."""
    conflict_names: tuple[str, str] | None = None
    """When a resend meets a 409 naming ``id=...``: the operation and field reading it."""

    def named_in_conflict(self, message: str) -> str | None:
        if self.conflict_names is None:
            return None
        found = _EXISTING_ID.search(message)
        return found[1] if found else None


_TAG = re.compile(r"<[^>]+>")
_EXISTING_ID = re.compile(r"\bid=([A-Za-z0-9_-]+)")


def _text(body: Any) -> str:
    """A body as Intercom may echo it: HTML tags and surrounding whitespace dropped."""
    return _TAG.sub("", str(body or "")).strip()


def _recent(item: dict[str, Any], since: float) -> bool:
    created = item.get("created_at")
    return not isinstance(created, int | float) or created >= since - CLOCK_SKEW


def _same_author(item: dict[str, Any], admin_id: Any) -> bool:
    if admin_id is None:
        return True
    author = item.get("author") or {}
    return str(author.get("id")) == str(admin_id)


def _written_by(item: dict[str, Any], data: dict[str, Any], since: float) -> bool:
    """Whether ``item`` (a note, a conversation part) is what the write ``data`` made."""
    return (
        _text(item.get("body")) == _text(data.get("body"))
        and _same_author(item, data.get("admin_id"))
        and _recent(item, since)
    )


async def contact_by_natural_key(caller: Caller, data: dict[str, Any]) -> dict[str, Any] | None:
    """The contact a create with ``data`` would make, if it exists (strong reads first)."""
    if data.get("external_id"):
        try:
            found: dict[str, Any] = await caller.call(
                "get_contact_by_external_id", {"external_id": str(data["external_id"])}
            )
            return found
        except NotFound:
            return None
    if data.get("email"):
        query = {"field": "email", "operator": "=", "value": data["email"]}
        reply = await caller.call("search_contacts", {"query": query})
        matches = [c for c in (reply or {}).get("data", []) if c.get("email") == data["email"]]
        if data.get("role"):
            matches = [c for c in matches if c.get("role") == data["role"]]
        return matches[0] if matches else None
    return None


async def _contact(caller: Caller, data: dict[str, Any], since: float) -> Any:
    return await contact_by_natural_key(caller, data)


async def _contact_note(caller: Caller, data: dict[str, Any], since: float) -> Any:
    return await _note(
        caller, "list_contact_notes", {"contact_id": data["contact_id"]}, data, since
    )


async def _company_note(caller: Caller, data: dict[str, Any], since: float) -> Any:
    return await _note(
        caller, "list_company_notes", {"company_id": data["company_id"]}, data, since
    )


async def _note(
    caller: Caller, listing: str, where: dict[str, Any], data: dict[str, Any], since: float
) -> Any:
    reply = await caller.call(listing, where) or {}
    return next((n for n in reply.get("data") or [] if _written_by(n, data, since)), None)


async def _conversation(caller: Caller, data: dict[str, Any]) -> tuple[Any, list[Any]]:
    """The conversation a write ``data`` acted on, and its parts."""
    conversation = await caller.call(
        "get_conversation", {"conversation_id": data["conversation_id"]}
    )
    parts = ((conversation or {}).get("conversation_parts") or {}).get("conversation_parts")
    return conversation, list(parts or [])


async def _conversation_reply(caller: Caller, data: dict[str, Any], since: float) -> Any:
    conversation, parts = await _conversation(caller, data)
    if any(_written_by(part, data, since) for part in parts):
        # Intercom answers a reply with the whole conversation: so does the settlement.
        return conversation
    return None


def _state_set_by(part_type: str, state: str) -> Find:
    """A change of state, found by the part it leaves (sending it twice leaves two parts)."""

    async def find(caller: Caller, data: dict[str, Any], since: float) -> Any:
        conversation, parts = await _conversation(caller, data)
        if (conversation or {}).get("state") != state:
            return None
        made = (
            part.get("part_type") == part_type
            and _same_author(part, data.get("admin_id"))
            and _recent(part, since)
            for part in parts
        )
        return conversation if any(made) else None

    return find


def _state_rule(operation: str, part_type: str, state: str) -> SettlementRule:
    how = (
        f"reads the conversation; adopts it when it is {state} with a part of type "
        f"`{part_type}` by the same admin made since the first attempt, else sends it again"
    )
    return SettlementRule(operation, how, _state_set_by(part_type, state))


ASSIGNMENT_PARTS = ("assignment", "assign_and_reopen", "assign_and_unsnooze")
"""The part types Intercom leaves when an admin assigns a conversation."""


async def _assignment(caller: Caller, data: dict[str, Any], since: float) -> Any:
    """An assignment, found by the assignee it left and the part it added (sending it twice
    leaves two parts, and a second notification to the assignee)."""
    conversation, parts = await _conversation(caller, data)
    field = "team_assignee_id" if data.get("type") == "team" else "admin_assignee_id"
    wanted = str(data.get("assignee_id"))
    current = (conversation or {}).get(field)
    if (current is None and wanted != "0") or (current is not None and str(current) != wanted):
        return None
    made = (
        part.get("part_type") in ASSIGNMENT_PARTS
        and _same_author(part, data.get("admin_id"))
        and _recent(part, since)
        for part in parts
    )
    return conversation if any(made) else None


_IDEMPOTENT = "idempotent: applying it twice leaves the same state, so it is sent again"

RULES: dict[str, SettlementRule] = {
    rule.operation: rule
    for rule in (
        SettlementRule(
            "create_contact",
            "looks the contact up by external_id, then email (role); adopts the one a 409 names",
            _contact,
            ("get_contact", "contact_id"),
        ),
        SettlementRule(
            "create_contact_note",
            "lists the contact's notes; adopts one with the same body and author created "
            "since the first attempt",
            _contact_note,
        ),
        SettlementRule(
            "create_company_note",
            "lists the company's notes; adopts one with the same body and author created "
            "since the first attempt",
            _company_note,
        ),
        SettlementRule(
            "reply_to_conversation",
            "reads the conversation; adopts it when a part with the same body and author "
            "was created since the first attempt",
            _conversation_reply,
        ),
        SettlementRule(
            "create_export_job",
            "sent again: Intercom keeps one active export and refuses a second with a 429",
        ),
        SettlementRule("cancel_export_job", _IDEMPOTENT),
        SettlementRule("attach_contact_to_conversation", _IDEMPOTENT),
        SettlementRule("dismiss_contact_banner", _IDEMPOTENT),
        _state_rule("close_conversation", "close", "closed"),
        _state_rule("open_conversation", "open", "open"),
        _state_rule("snooze_conversation", "snoozed", "snoozed"),
        SettlementRule(
            "assign_conversation",
            "reads the conversation; adopts it when its admin (or team) assignee is the one "
            "asked for and an assignment part by the same admin was made since the first "
            "attempt, else sends it again",
            _assignment,
        ),
    )
}
"""Every non-idempotent operation with a rule; the rest of them are not settleable."""


def settlement_rule(operation: str) -> SettlementRule | None:
    return RULES.get(operation)
