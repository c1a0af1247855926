"""Deterministic seed data: the same ``seed`` and sizes give the same workspace, byte for byte.

Each resource draws from its own ``random.Random`` (named after the resource and the seed),
so changing how many conversations are seeded does not reshuffle the contacts. Contacts are
generated in one tight loop with shared attribute dicts so 100,000 of them take well under
a few seconds and a few tens of megabytes.
"""

from __future__ import annotations

import random
from typing import Any

from .contact_store import Contact, ContactStore
from .records import Company, Conversation, DataEvent, Note, Segment, Tag
from .staff import FIRST_NAMES, LAST_NAMES
from .state import Ids, SandboxState
from .timeline import creation_times, update_times

DAY = 86_400
YEAR = 365 * DAY
CONTACT_HISTORY_DAYS = 540  # eighteen months of sign-ups, with busy days (timeline.py)

DOMAINS = ("example.com", "example.org", "example.net", "mail.example", "corp.example")
LOCATIONS = (
    ("Ireland", "Dublin", "Dublin", "IRL", "EU"),
    ("United States", "California", "San Francisco", "USA", "NA"),
    ("United Kingdom", "England", "London", "GBR", "EU"),
    ("Germany", "Berlin", "Berlin", "DEU", "EU"),
    ("Australia", "New South Wales", "Sydney", "AUS", "OC"),
    ("Brazil", "Sao Paulo", "Sao Paulo", "BRA", "SA"),
)
PLANS = ("free", "pro", "enterprise")
INDUSTRIES = ("Software", "Retail", "Finance", "Healthcare", "Education", "Manufacturing")
COMPANY_WORDS = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne")
COMPANY_SUFFIXES = ("Labs", "Systems", "Group", "Works", "Industries", "Partners")
TAG_NAMES = ("VIP", "Churn risk", "Beta tester", "Enterprise", "Newsletter", "Trial", "Partner")
TOPICS = ("billing", "login", "export")
EVENT_NAMES = (
    "signed-up",
    "invited-teammate",
    "upgraded-plan",
    "exported-report",
    "viewed-pricing",
)


def seed_records(state: SandboxState) -> None:
    """Make and fill every record ``SandboxState`` seeds on first use (``SEEDED_ON_FIRST_USE``).

    ``state`` is a scratch copy that ``SandboxState.ensure_seeded`` publishes once filled. The
    containers are all set before anything is read, so no read here seeds again.
    """
    config = state.seed_config
    state.ids = ids = Ids(config.seed)
    state.contacts = ContactStore(ids.contact_prefix, state.workspace.id_code)
    state.companies = {}
    state.company_by_remote_id = {}
    state.tags = {}
    state.notes = {}
    state.segments = {}
    state.data_attributes = []
    state.conversations = {}
    state.conversation_order = []
    state.conversations_by_seq = {}
    state.events = []
    _seed_tags(state)
    _seed_segments(state)
    _seed_data_attributes(state)
    _seed_companies(state)
    _seed_contacts(state)
    _seed_notes(state)
    _seed_events(state)
    if config.contacts:
        _seed_conversations(state)


def _rng(state: SandboxState, topic: str) -> random.Random:
    return random.Random(f"{topic}:{state.seed_config.seed}")


def _seed_tags(state: SandboxState) -> None:
    base = state.seed_config.seed_epoch - YEAR
    for i in range(state.seed_config.tags):
        tag_id = state.ids.next_number("tag", 100)
        name = TAG_NAMES[i] if i < len(TAG_NAMES) else f"Tag {i + 1}"
        state.tags[tag_id] = Tag(tag_id, name, base + i * DAY)


def _seed_segments(state: SandboxState) -> None:
    base = state.seed_config.seed_epoch - YEAR
    prefix = state.ids.segment_prefix
    specs: list[tuple[str, str, str, str | None, tuple[str, ...]]] = [
        ("All users", "contact", "user", "user", ()),
        ("All leads", "contact", "contact", "lead", ()),
        ("Paying companies", "company", "user", None, ("pro", "enterprise")),
    ]
    for i, (name, model, person_type, role, plans) in enumerate(specs):
        segment_id = f"{prefix}{i:016x}"
        state.segments[segment_id] = Segment(
            segment_id, name, base + i * DAY, model, person_type, role, plans
        )


def _attribute(
    model: str, name: str, label: str, data_type: str, *, custom: bool = False, **extra: Any
) -> dict[str, Any]:
    return {
        "type": "data_attribute",
        "model": model,
        "name": name,
        "full_name": f"custom_attributes.{name}" if custom else name,
        "label": label,
        "description": label,
        "data_type": data_type,
        "api_writable": True,
        "ui_writable": custom,
        "messenger_writable": not custom,
        "custom": custom,
        "archived": False,
        **extra,
    }


def _seed_data_attributes(state: SandboxState) -> None:
    attrs = state.data_attributes
    for name, label, data_type in (
        ("name", "Name", "string"),
        ("email", "Email", "string"),
        ("phone", "Phone", "string"),
        ("external_id", "User ID", "string"),
        ("role", "Role", "string"),
        ("created_at", "Signed up", "date"),
        ("last_seen_at", "Last seen", "date"),
        ("unsubscribed_from_emails", "Unsubscribed from emails", "boolean"),
    ):
        attrs.append(_attribute("contact", name, label, data_type))
    for name, label, data_type in (
        ("name", "Company name", "string"),
        ("company_id", "Company ID", "string"),
        ("last_request_at", "Company last seen", "date"),
        ("monthly_spend", "Monthly spend", "float"),
        ("size", "Company size", "integer"),
    ):
        attrs.append(_attribute("company", name, label, data_type))
    admin_id = state.first_admin.id
    stamp = state.seed_config.seed_epoch - YEAR
    for model, name, data_type, options in (
        ("contact", "plan", "string", list(PLANS)),
        ("contact", "seats", "integer", None),
        ("company", "tier", "string", None),
    ):
        attr_id = int(state.ids.next_number("data_attribute", 1))
        extra: dict[str, Any] = {
            "id": attr_id,
            "admin_id": admin_id,
            "created_at": stamp,
            "updated_at": stamp,
        }
        if options:
            extra["options"] = options
        attrs.append(_attribute(model, name, name.capitalize(), data_type, custom=True, **extra))


def _seed_companies(state: SandboxState) -> None:
    rng = _rng(state, "companies")
    config = state.seed_config
    start = config.seed_epoch - YEAR
    tiers = [{"tier": "gold"}, {"tier": "silver"}, {"tier": "bronze"}]
    for seq in range(config.companies):
        word = COMPANY_WORDS[seq % len(COMPANY_WORDS)]
        suffix = COMPANY_SUFFIXES[(seq // len(COMPANY_WORDS)) % len(COMPANY_SUFFIXES)]
        name = f"{word} {suffix} {seq + 1}"
        created = start + int(seq * (YEAR / max(config.companies, 1)))
        company = Company(
            seq=seq,
            id=state.ids.company_id(seq),
            company_id=f"cmp-{seq + 1:05d}",
            name=name,
            created_at=created,
            updated_at=created,
            remote_created_at=created - rng.randrange(DAY, 90 * DAY),
            last_request_at=created + rng.randrange(0, 30 * DAY),
            plan=rng.choice(PLANS),
            size=rng.choice((5, 20, 50, 200, 1000)),
            website=f"https://{word.lower()}{seq + 1}.example.com",
            industry=rng.choice(INDUSTRIES),
            monthly_spend=rng.randrange(0, 5000),
            session_count=rng.randrange(0, 500),
            custom_attributes=dict(rng.choice(tiers)),
        )
        if state.tags and rng.random() < 0.2:
            company.tag_ids.append(rng.choice(list(state.tags)))
        state.companies[company.id] = company
        state.company_by_remote_id[company.company_id] = company.id


def _seed_contacts(state: SandboxState) -> None:
    rng = _rng(state, "contacts")
    config = state.seed_config
    store = state.contacts
    count = config.contacts
    history = f"contacts:{config.seed}"
    created_times = creation_times(history, count, config.seed_epoch, CONTACT_HISTORY_DAYS)
    updated_times = update_times(history, created_times, config.seed_epoch)
    variants = [
        store.shared_attributes({"plan": "free"}),
        store.shared_attributes({"plan": "pro", "seats": 5}),
        store.shared_attributes({"plan": "enterprise", "seats": 50}),
    ]
    admin_ids = list(state.admins)
    tag_ids = list(state.tags)
    companies = list(state.companies.values())
    random_ = rng.random
    randrange = rng.randrange
    n_first, n_last, n_dom = len(FIRST_NAMES), len(LAST_NAMES), len(DOMAINS)
    for seq in range(count):
        created = created_times[seq]
        first = FIRST_NAMES[randrange(n_first)]
        last = LAST_NAMES[randrange(n_last)]
        is_user = random_() < 0.8
        email = f"{first.lower()}.{last.lower()}{seq + 1}@{DOMAINS[randrange(n_dom)]}"
        contact = Contact(
            seq,
            "user" if is_user else "lead",
            created,
            email=email,
            name=f"{first} {last}",
            external_id=f"user-{seq + 1:06d}" if is_user else None,
            phone=f"+35387{randrange(1_000_000, 9_999_999)}" if random_() < 0.4 else None,
            owner_id=admin_ids[randrange(len(admin_ids))] if random_() < 0.3 else None,
            signed_up_at=created if is_user else None,
            last_seen_at=created + randrange(0, 30 * DAY),
            custom_attributes=variants[randrange(3)],
            location=LOCATIONS[randrange(len(LOCATIONS))],
        )
        contact.updated_at = updated_times[seq]
        if tag_ids and random_() < 0.15:
            contact.tag_ids = (tag_ids[randrange(len(tag_ids))],)
        if companies and is_user:
            # The first users land on distinct companies so no company is left empty.
            if seq < len(companies):
                company = companies[seq]
            elif random_() < 0.75:
                company = companies[randrange(len(companies))]
            else:
                company = None
            if company is not None:
                contact.company_ids = (company.id,)
                company.contact_seqs.add(seq)
        store.add(contact)


def _seed_notes(state: SandboxState) -> None:
    rng = _rng(state, "notes")
    store = state.contacts
    if not len(store):
        return
    admin_ids = list(state.admins)
    targets = min(len(store), 20)
    for i in range(state.seed_config.notes):
        contact = store.by_seq(i % targets)
        if contact is None:
            continue
        note_id = state.ids.next_number("note", 1)
        state.notes[note_id] = Note(
            id=note_id,
            body=f"<p>Call notes #{i + 1}: {rng.choice(('renewal', 'pricing', 'bug report'))}</p>",
            created_at=contact.created_at + (i + 1) * 3600,
            author_id=rng.choice(admin_ids),
            contact_seq=contact.seq,
        )
        contact.note_ids = (*contact.note_ids, note_id)


def _seed_events(state: SandboxState) -> None:
    rng = _rng(state, "events")
    store = state.contacts
    if not len(store):
        return
    targets = min(len(store), 10)
    for i in range(state.seed_config.events):
        contact = store.by_seq(i % targets)
        if contact is None:
            continue
        state.events.append(
            DataEvent(
                seq=len(state.events),
                event_name=rng.choice(EVENT_NAMES),
                created_at=contact.created_at + (i + 1) * 600,
                contact_seq=contact.seq,
                metadata={"source": rng.choice(("web", "ios", "android"))},
            )
        )


def _seed_conversations(state: SandboxState) -> None:
    rng = _rng(state, "conversations")
    config = state.seed_config
    admins = list(state.admins.values())
    teams = list(state.teams)
    tag_ids = list(state.tags)
    start = config.seed_epoch - 60 * DAY
    n_contacts = config.contacts
    for seq in range(config.conversations):
        created = start + int(seq * (60 * DAY / max(config.conversations, 1)))
        contact = state.contacts.by_seq(rng.randrange(n_contacts))
        if contact is None:
            continue
        admin = rng.choice(admins)
        roll = rng.random()
        status = "open" if roll < 0.5 else ("closed" if roll < 0.85 else "snoozed")
        conversation = Conversation(
            seq=seq,
            id=str(100 + seq),
            created_at=created,
            updated_at=created + 3600,
            source={
                "type": "conversation",
                "id": str(403_918_000 + seq),
                "delivered_as": "customer_initiated",
                "subject": "",
                "body": f"<p>Question {seq + 1} about {rng.choice(TOPICS)}</p>",
                "author": {
                    "type": contact.role,
                    "id": state.contacts.id_of(contact),
                    "name": contact.name,
                    "email": contact.email or "",
                },
                "attachments": [],
                "url": None,
                "redacted": False,
            },
            contact_seqs=[contact.seq],
            state=status,
            read=rng.random() < 0.5,
            priority=rng.choice(("none", "none", "low", "high")),
            admin_assignee_id=admin.id,
            team_assignee_id=rng.choice(teams) if teams else None,
            waiting_since=created if status == "open" else None,
            snoozed_until=created + 7 * DAY if status == "snoozed" else None,
        )
        if tag_ids and rng.random() < 0.3:
            conversation.tag_ids.append(rng.choice(tag_ids))
        conversation.parts.append(
            {
                "id": state.ids.next_number("part", 1),
                "part_type": "comment",
                "body": "<p>Thanks, looking into it.</p>",
                "created_at": created + 600,
                "author": ("admin", admin.id),
                "assigned_to": None,
                "state": status if status != "snoozed" else "open",
            }
        )
        state.conversations[conversation.id] = conversation
        state.conversations_by_seq[seq] = conversation
        state.conversation_order.append(seq)
