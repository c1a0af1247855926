"""Contacts held compactly enough for 100,000 of them, and rendered to JSON fast.

A contact is a slotted record indexed by its sequence number; its id is derived from that
number (``<8-hex workspace prefix><16-hex seq>``), so looking one up needs no id index.
Listing walks a sorted list of the sequence numbers of listable contacts, which keeps
keyset cursors stable while contacts are created, archived or deleted mid-pagination.
Rendering fills a text template instead of building and serialising a 60-key dict per
contact: ``GET /contacts`` at 150 per page is the hot path of every benchmark.
"""

from __future__ import annotations

import json
from bisect import bisect_right, insort
from collections.abc import Iterator
from functools import lru_cache
from json.encoder import encode_basestring_ascii
from typing import Any

_dumps = json.dumps
# The C string encoder json.dumps ends up in, minus the per-call overhead.
_string = encode_basestring_ascii

_NULL_FIELDS = (
    "language_override",
    "browser",
    "browser_version",
    "browser_language",
    "os",
)
_DEVICE_NULLS = ",".join(
    f'"{p}_{f}":null'
    for p in ("android", "ios")
    for f in ("app_name", "app_version", "device", "os_version", "sdk_version", "last_seen_at")
)
_TAIL_NULLS = ",".join(
    f'"{k}":null'
    for k in ("utm_campaign", "utm_content", "utm_medium", "utm_source", "utm_term", "referrer")
)
_PLAIN_NULLS = ",".join(f'"{k}":null' for k in _NULL_FIELDS)

SUBLIST_LIMIT = 10


class Contact:
    __slots__ = (
        "archived",
        "avatar",
        "company_ids",
        "created_at",
        "custom_attributes",
        "email",
        "external_id",
        "last_contacted_at",
        "last_replied_at",
        "last_seen_at",
        "location",
        "merge_history",
        "merged_into",
        "name",
        "note_ids",
        "owner_id",
        "phone",
        "role",
        "seq",
        "signed_up_at",
        "tag_ids",
        "unsubscribed",
        "updated_at",
    )

    def __init__(
        self,
        seq: int,
        role: str,
        created_at: int,
        *,
        email: str | None = None,
        name: str | None = None,
        external_id: str | None = None,
        phone: str | None = None,
        owner_id: str | None = None,
        signed_up_at: int | None = None,
        last_seen_at: int | None = None,
        custom_attributes: dict[str, Any] | None = None,
        location: tuple[str, str, str, str, str] | None = None,
    ) -> None:
        self.seq = seq
        self.role = role
        self.created_at = created_at
        self.updated_at = created_at
        self.email = email
        self.name = name
        self.external_id = external_id
        self.phone = phone
        self.owner_id = owner_id
        self.signed_up_at = signed_up_at
        self.last_seen_at = last_seen_at
        self.last_replied_at: int | None = None
        self.last_contacted_at: int | None = None
        # Seeded contacts share a few attribute dicts; writers replace, never mutate in place.
        self.custom_attributes: dict[str, Any] = custom_attributes or {}
        self.location = location
        self.tag_ids: tuple[str, ...] = ()
        self.company_ids: tuple[str, ...] = ()
        self.note_ids: tuple[str, ...] = ()
        self.avatar: str | None = None
        self.unsubscribed = False
        self.archived = False
        self.merged_into: int | None = None
        self.merge_history: tuple[dict[str, Any], ...] = ()

    @property
    def email_domain(self) -> str:
        return self.email.rpartition("@")[2] if self.email and "@" in self.email else ""


def _opt(value: str | None) -> str:
    return "null" if value is None else _string(value)


def _opt_int(value: int | None) -> str:
    return "null" if value is None else str(value)


def _sublist(cid: str, kind: str, ids: tuple[str, ...], item_type: str, base: str) -> str:
    if not ids:
        return (
            f'{{"type":"list","data":[],"url":"/contacts/{cid}/{kind}",'
            '"total_count":0,"has_more":false}'
        )
    shown = ids[:SUBLIST_LIMIT]
    data = ",".join(
        f'{{"type":"{item_type}","id":{_string(i)},"url":"/{base}/{i}"}}' for i in shown
    )
    more = "true" if len(ids) > SUBLIST_LIMIT else "false"
    return (
        f'{{"type":"list","data":[{data}],"url":"/contacts/{cid}/{kind}",'
        f'"total_count":{len(ids)},"has_more":{more}}}'
    )


@lru_cache(maxsize=256)
def _location(loc: tuple[str, str, str, str, str] | None) -> str:
    if loc is None:
        return (
            '{"type":"location","country":null,"region":null,"city":null,'
            '"country_code":null,"continent_code":null}'
        )
    country, region, city, code, continent = loc
    return (
        f'{{"type":"location","country":{_string(country)},"region":{_string(region)},'
        f'"city":{_string(city)},"country_code":{_string(code)},'
        f'"continent_code":{_string(continent)}}}'
    )


class ContactStore:
    def __init__(self, id_prefix: str, workspace_id: str) -> None:
        self.id_prefix = id_prefix
        self.workspace_id = workspace_id
        self._records: list[Contact | None] = []
        self._active: list[int] = []
        self._by_external: dict[str, int] = {}
        self._by_email: dict[str, int] = {}
        self._attr_json: dict[int, str] = {}
        self.version = 0

    # --- identity -------------------------------------------------------------------
    def id_of(self, contact: Contact) -> str:
        return f"{self.id_prefix}{contact.seq:016x}"

    def seq_of(self, contact_id: str) -> int | None:
        if len(contact_id) != 24 or not contact_id.startswith(self.id_prefix):
            return None
        try:
            return int(contact_id[8:], 16)
        except ValueError:
            return None

    def get(self, contact_id: str) -> Contact | None:
        """The contact with this id, merged-away ones included; ``None`` if unknown/deleted."""
        seq = self.seq_of(contact_id)
        if seq is None or seq >= len(self._records):
            return None
        return self._records[seq]

    def by_seq(self, seq: int) -> Contact | None:
        return self._records[seq] if 0 <= seq < len(self._records) else None

    def by_external_id(self, external_id: str) -> Contact | None:
        seq = self._by_external.get(external_id)
        return None if seq is None else self._records[seq]

    def by_email(self, email: str) -> Contact | None:
        seq = self._by_email.get(email.lower())
        return None if seq is None else self._records[seq]

    # --- writes ---------------------------------------------------------------------
    def next_seq(self) -> int:
        return len(self._records)

    def add(self, contact: Contact) -> Contact:
        """Store a new contact; its ``seq`` must be ``next_seq()`` (ids derive from it)."""
        if contact.seq != len(self._records):
            raise ValueError("contacts are appended in sequence order")
        self._records.append(contact)
        self._active.append(contact.seq)
        self._index(contact)
        self.version += 1
        return contact

    def _index(self, contact: Contact) -> None:
        if contact.external_id:
            self._by_external[contact.external_id] = contact.seq
        if contact.email:
            self._by_email.setdefault(contact.email.lower(), contact.seq)

    def _unindex(self, contact: Contact) -> None:
        if contact.external_id and self._by_external.get(contact.external_id) == contact.seq:
            del self._by_external[contact.external_id]
        if contact.email and self._by_email.get(contact.email.lower()) == contact.seq:
            del self._by_email[contact.email.lower()]

    def reindex(self, contact: Contact, before: tuple[str | None, str | None]) -> None:
        """Refresh lookups after ``external_id``/``email`` changed from ``before``."""
        old_external, old_email = before
        if old_external and self._by_external.get(old_external) == contact.seq:
            del self._by_external[old_external]
        if old_email and self._by_email.get(old_email.lower()) == contact.seq:
            del self._by_email[old_email.lower()]
        self._index(contact)
        self.version += 1

    def touch(self) -> None:
        self.version += 1

    def _deactivate(self, seq: int) -> None:
        index = bisect_right(self._active, seq) - 1
        if index >= 0 and self._active[index] == seq:
            del self._active[index]

    def remove(self, contact: Contact) -> None:
        self._deactivate(contact.seq)
        self._unindex(contact)
        self._records[contact.seq] = None
        self.version += 1

    def set_archived(self, contact: Contact, archived: bool) -> None:
        if contact.archived == archived:
            return
        contact.archived = archived
        if archived:
            self._deactivate(contact.seq)
        else:
            insort(self._active, contact.seq)
        self.version += 1

    def mark_merged(self, contact: Contact, into: Contact) -> None:
        contact.merged_into = into.seq
        self._deactivate(contact.seq)
        self._unindex(contact)
        self.version += 1

    # --- reads ----------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._active)

    def listable(self) -> Iterator[Contact]:
        records = self._records
        for seq in self._active:
            contact = records[seq]
            if contact is not None:
                yield contact

    def records(self) -> Iterator[Contact]:
        """Every stored contact, archived and merged ones included."""
        return (c for c in self._records if c is not None)

    def page_after(self, after_seq: int | None, per_page: int) -> tuple[list[Contact], int, bool]:
        """Up to ``per_page`` listable contacts after ``after_seq``; (page, start index, more)."""
        start = 0 if after_seq is None else bisect_right(self._active, after_seq)
        seqs = self._active[start : start + per_page]
        records = self._records
        page = [c for c in (records[s] for s in seqs) if c is not None]
        return page, start, start + per_page < len(self._active)

    def resolve_merge(self, contact: Contact) -> Contact:
        """Follow a merge chain (Intercom resolves up to three hops) to the surviving contact."""
        seen = 0
        while contact.merged_into is not None and seen < 3:
            target = self.by_seq(contact.merged_into)
            if target is None:
                break
            contact = target
            seen += 1
        return contact

    # --- rendering ------------------------------------------------------------------
    def shared_attributes(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Register a seed dict shared by many contacts so it is serialised once."""
        self._attr_json[id(attrs)] = _dumps(attrs, ensure_ascii=False)
        return attrs

    def render(self, c: Contact, include_merge_history: bool = False) -> str:
        cid = f"{self.id_prefix}{c.seq:016x}"
        avatar = (
            "null" if c.avatar is None else f'{{"type":"avatar","image_url":{_dumps(c.avatar)}}}'
        )
        email = c.email or ""
        attrs = c.custom_attributes
        attrs_json = self._attr_json.get(id(attrs)) if attrs else "{}"
        if attrs_json is None:
            attrs_json = _dumps(attrs, ensure_ascii=False)
        subscriptions = _sublist(cid, "subscriptions", (), "subscription", "subscriptions")
        history = ""
        if include_merge_history:
            history = f',"merge_history":{_dumps(list(c.merge_history))}'
        return (
            f'{{"type":"contact","id":"{cid}","workspace_id":"{self.workspace_id}",'
            f'"external_id":{_opt(c.external_id)},"role":"{c.role}","email":{_string(email)},'
            f'"email_domain":{_string(c.email_domain)},"phone":{_opt(c.phone)},'
            f'"name":{_opt(c.name)},"avatar":{avatar},"owner_id":{_opt(c.owner_id)},'
            f'"social_profiles":{{"type":"list","data":[]}},"has_hard_bounced":false,'
            f'"marked_email_as_spam":false,'
            f'"unsubscribed_from_emails":{"true" if c.unsubscribed else "false"},'
            f'"created_at":{c.created_at},"updated_at":{c.updated_at},'
            f'"signed_up_at":{_opt_int(c.signed_up_at)},"last_seen_at":{_opt_int(c.last_seen_at)},'
            f'"last_replied_at":{_opt_int(c.last_replied_at)},'
            f'"last_contacted_at":{_opt_int(c.last_contacted_at)},'
            f'"last_email_opened_at":null,"last_email_clicked_at":null,{_PLAIN_NULLS},'
            f'"location":{_location(c.location)},{_DEVICE_NULLS},'
            f'"custom_attributes":{attrs_json},'
            f'"tags":{_sublist(cid, "tags", c.tag_ids, "tag", "tags")},'
            f'"notes":{_sublist(cid, "notes", c.note_ids, "note", "notes")},'
            f'"companies":{_sublist(cid, "companies", c.company_ids, "company", "companies")},'
            f'"opted_out_subscription_types":{subscriptions},'
            f'"opted_in_subscription_types":{subscriptions},'
            f'{_TAIL_NULLS},"enabled_push_messaging":null{history}}}'
        )

    def reference(self, c: Contact) -> dict[str, Any]:
        return {"type": "contact", "id": self.id_of(c), "external_id": c.external_id}
