"""The workspace's directory: admins (``/me``), teams, segments and data attributes.

Mostly read-only seed data; data attributes can be created and updated because contact and
company writes check custom attributes against them, as Intercom does.
"""

from __future__ import annotations

import re
from typing import Any

from .call import Call, Handler
from .lookups import find_admin, find_company, find_contact
from .replies import ApiError, Reply, invalid, not_found
from .state import Admin, SandboxState, Team

DATA_TYPES = ("string", "integer", "float", "boolean", "date", "datetime", "options")
_STORED_TYPES = {"options": "string", "datetime": "date"}
"""Request types that a data attribute reports as another (the reply's enum has no others)."""
_NAME_RE = re.compile(r"^[\w\s$€£¥-]+$")
_AVATAR = "https://static.intercomassets.com/assets/default-avatars/admins/128.png"


def render_admin(admin: Admin) -> dict[str, Any]:
    return {
        "type": "admin",
        "id": admin.id,
        "name": admin.name,
        "email": admin.email,
        "job_title": admin.job_title,
        "away_mode_enabled": admin.away_mode_enabled,
        "away_mode_reassign": admin.away_mode_reassign,
        "away_status_reason_id": admin.away_status_reason_id,
        "has_inbox_seat": True,
        "team_ids": list(admin.team_ids),
        "avatar": _AVATAR,
    }


def render_segment(state: SandboxState, segment: Any) -> dict[str, Any]:
    return {
        "type": "segment",
        "id": segment.id,
        "name": segment.name,
        "created_at": segment.created_at,
        "updated_at": segment.created_at,
        "person_type": segment.person_type,
    }


def render_team(team: Team) -> dict[str, Any]:
    return {
        "type": "team",
        "id": team.id,
        "name": team.name,
        "admin_ids": list(team.admin_ids),
        "assignment_limit": None,
        "distribution_method": "round_robin",
    }


def identify_admin(state: SandboxState, call: Call) -> Reply:
    admin = render_admin(state.first_admin)
    ws = state.workspace
    admin.update(
        {
            "email_verified": True,
            "avatar": {"type": "avatar", "image_url": _AVATAR},
            "app": {
                "type": "app",
                "id_code": ws.id_code,
                "name": ws.name,
                "created_at": ws.created_at,
                "secure": False,
                "identity_verification": False,
                "timezone": ws.timezone,
                "region": ws.region,
            },
        }
    )
    return Reply.json(admin)


def list_admins(state: SandboxState, call: Call) -> Reply:
    return Reply.json(
        {"type": "admin.list", "admins": [render_admin(a) for a in state.admins.values()]}
    )


def get_admin(state: SandboxState, call: Call) -> Reply:
    return Reply.json(render_admin(find_admin(state, call.path["admin_id"], "admin_id")))


def set_admin_away(state: SandboxState, call: Call) -> Reply:
    admin = find_admin(state, call.path["admin_id"], "admin_id")
    body = call.data
    admin.away_mode_enabled = bool(body.get("away_mode_enabled", True))
    admin.away_mode_reassign = bool(body.get("away_mode_reassign", False))
    if "away_status_reason_id" in body:
        admin.away_status_reason_id = body["away_status_reason_id"]
    return Reply.json(render_admin(admin))


def list_teams(state: SandboxState, call: Call) -> Reply:
    return Reply.json(
        {"type": "team.list", "teams": [render_team(t) for t in state.teams.values()]}
    )


def get_team(state: SandboxState, call: Call) -> Reply:
    team = state.teams.get(call.path["team_id"])
    if team is None:
        raise ApiError(404, "team_not_found", "Team not found")
    return Reply.json(render_team(team))


def _segment_count(state: SandboxState, segment: Any) -> int:
    if segment.model == "company":
        return sum(1 for c in state.companies.values() if c.plan in segment.plans)
    return sum(1 for c in state.contacts.listable() if c.role == segment.role)


def list_segments(state: SandboxState, call: Call) -> Reply:
    segments = []
    for segment in state.segments.values():
        item = render_segment(state, segment)
        if call.flag("include_count"):
            item["count"] = _segment_count(state, segment)
        segments.append(item)
    return Reply.json({"type": "segment.list", "segments": segments})


def get_segment(state: SandboxState, call: Call) -> Reply:
    segment = state.segments.get(call.path["segment_id"])
    if segment is None:
        raise not_found()
    return Reply.json(render_segment(state, segment))


def list_contact_segments(state: SandboxState, call: Call) -> Reply:
    contact = find_contact(state, call.path["contact_id"])
    data = [
        render_segment(state, s)
        for s in state.segments.values()
        if s.model == "contact" and s.role == contact.role
    ]
    return Reply.json({"type": "list", "data": data})


def list_company_segments(state: SandboxState, call: Call) -> Reply:
    company = find_company(state, call.path["company_id"])
    data = [
        render_segment(state, s)
        for s in state.segments.values()
        if s.model == "company" and company.plan in s.plans
    ]
    return Reply.json({"type": "list", "data": data})


def list_data_attributes(state: SandboxState, call: Call) -> Reply:
    model = call.query.get("model")
    archived = call.flag("include_archived")
    data = [
        dict(a)
        for a in state.data_attributes
        if (model is None or a["model"] == model) and (archived or not a["archived"])
    ]
    return Reply.json({"type": "list", "data": data})


def _options(raw: Any) -> list[str]:
    if not isinstance(raw, list):
        raise invalid("options must be a list", "options")
    values = [o.get("value") for o in raw if isinstance(o, dict)]
    if len(values) < 2 or not all(isinstance(v, str) for v in values):
        raise invalid("a list attribute needs at least two options with text values", "options")
    return [str(v) for v in values]


def create_data_attribute(state: SandboxState, call: Call) -> Reply:
    body = call.data
    name, model, data_type = body["name"], body["model"], body["data_type"]
    if model not in ("contact", "company"):
        raise invalid("model must be contact or company", "model")
    if data_type not in DATA_TYPES:
        raise invalid(f"data_type must be one of {', '.join(DATA_TYPES)}", "data_type")
    if not _NAME_RE.match(name):
        raise invalid(
            "an attribute name may only hold letters, digits, spaces, hyphens and currency signs",
            "name",
        )
    if any(a["name"] == name and a["model"] == model for a in state.data_attributes):
        raise invalid(f"a {model} attribute named {name!r} already exists", "name")
    now = state.now()
    attribute: dict[str, Any] = {
        "id": int(state.ids.next_number("data_attribute", 1)),
        "type": "data_attribute",
        "model": model,
        "name": name,
        "full_name": f"custom_attributes.{name}",
        "label": name,
        "description": body.get("description", ""),
        "data_type": _STORED_TYPES.get(data_type, data_type),
        "api_writable": True,
        "ui_writable": False,
        "messenger_writable": bool(body.get("messenger_writable", False)),
        "custom": True,
        "archived": False,
        "admin_id": state.first_admin.id,
        "created_at": now,
        "updated_at": now,
    }
    if data_type == "options" or "options" in body:
        attribute["options"] = _options(body.get("options"))
    state.data_attributes.append(attribute)
    return Reply.json(attribute)


def update_data_attribute(state: SandboxState, call: Call) -> Reply:
    raw_id = call.path["data_attribute_id"]
    attribute = next(
        (a for a in state.data_attributes if str(a.get("id")) == raw_id and a["custom"]), None
    )
    if attribute is None:
        raise ApiError(404, "field_not_found", "No data attribute with that id")
    body = call.data
    if "options" in body:
        attribute["options"] = _options(body["options"])
    for key in ("archived", "description", "messenger_writable"):
        if key in body:
            attribute[key] = body[key]
    attribute["updated_at"] = state.now()
    return Reply.json(dict(attribute))


HANDLERS: dict[str, Handler] = {
    "identify_admin": identify_admin,
    "list_admins": list_admins,
    "get_admin": get_admin,
    "set_admin_away": set_admin_away,
    "list_teams": list_teams,
    "get_team": get_team,
    "list_segments": list_segments,
    "get_segment": get_segment,
    "list_contact_segments": list_contact_segments,
    "list_company_segments": list_company_segments,
    "list_data_attributes": list_data_attributes,
    "create_data_attribute": create_data_attribute,
    "update_data_attribute": update_data_attribute,
}
