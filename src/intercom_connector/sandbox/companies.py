"""Companies: create-or-update by ``company_id``, page listings, the scroll API, attachments.

The traps of Intercom's companies API are reproduced on purpose, because clients must
handle them: page listings stop at 10,000 records ("page limit reached, please use scroll
API"), ``POST /companies/list`` leaves out companies without users, and only one scroll may
be open per workspace — a second one answers 400 ``scroll_exists`` until the first is read
to its empty page or sits unused past its expiry (60 s by default).
"""

from __future__ import annotations

import zlib
from typing import Any

from .call import Call, Handler
from .lookups import find_company, find_contact
from .pagination import numbered_pages, per_page_value
from .records import Company, Scroll
from .replies import ApiError, Reply, dumps, invalid
from .state import SandboxState
from .workspace import render_segment

DEFAULT_PER_PAGE = 15
MAX_PER_PAGE = 150
PAGE_LIMIT_RECORDS = 10_000


def _plan(name: str | None) -> dict[str, Any]:
    if not name:
        return {}
    # A stable id per plan name, the same in every sandbox.
    return {"type": "plan", "id": str(zlib.crc32(name.encode()) % 1_000_000), "name": name}


def render_company(state: SandboxState, company: Company) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "company",
        "company_id": company.company_id,
        "id": company.id,
        "app_id": state.workspace.id_code,
        "name": company.name,
        "remote_created_at": company.remote_created_at or company.created_at,
        "created_at": company.created_at,
        "updated_at": company.updated_at,
    }
    if company.last_request_at is not None:
        out["last_request_at"] = company.last_request_at
    for key in ("size", "website", "industry"):
        value = getattr(company, key)
        if value is not None:
            out[key] = value
    out.update(
        {
            "monthly_spend": company.monthly_spend,
            "session_count": company.session_count,
            "user_count": len(company.contact_seqs),
            "tags": {
                "type": "tag.list",
                "tags": [
                    {"type": "tag", "id": t, "name": state.tags[t].name}
                    for t in company.tag_ids
                    if t in state.tags
                ],
            },
            "segments": {
                "type": "segment.list",
                "segments": [
                    render_segment(state, s)
                    for s in state.segments.values()
                    if s.model == "company" and company.plan in s.plans
                ],
            },
            "plan": _plan(company.plan),
            "custom_attributes": dict(company.custom_attributes),
        }
    )
    return out


def _custom_attributes(state: SandboxState, attrs: Any) -> dict[str, Any]:
    if not attrs:
        return {}
    known = {a["name"] for a in state.data_attributes if a["model"] == "company" and a["custom"]}
    for name in attrs:
        if name not in known:
            raise invalid(
                f"Custom attribute '{name}' does not exist; create it with POST /data_attributes",
                f"custom_attributes.{name}",
            )
    return dict(attrs)


def _apply(state: SandboxState, company: Company, body: dict[str, Any]) -> None:
    for key in ("name", "plan", "size", "website", "industry", "monthly_spend"):
        if key in body and body[key] is not None:
            setattr(company, key, body[key])
    if body.get("remote_created_at") is not None:
        company.remote_created_at = body["remote_created_at"]
    if body.get("update_last_request_at"):
        company.last_request_at = state.now()
    attrs = _custom_attributes(state, body.get("custom_attributes"))
    if attrs:
        company.custom_attributes = {**company.custom_attributes, **attrs}
    company.updated_at = state.now()


def create_or_update_company(state: SandboxState, call: Call) -> Reply:
    body = call.data
    remote_id = body.get("company_id")
    existing = state.company_by_remote_id.get(remote_id) if remote_id else None
    if existing is not None:
        company = state.companies[existing]
        _apply(state, company, body)
        return Reply.json(render_company(state, company))
    if not remote_id and not body.get("name"):
        raise invalid("a company needs a company_id or a name", "company_id")
    seq = int(state.ids.next_number("company_seq", state.config.companies))
    now = state.now()
    company = Company(
        seq=seq,
        id=state.ids.company_id(seq),
        company_id=remote_id or f"cmp-{seq + 1:05d}",
        name=str(body.get("name") or remote_id),
        created_at=now,
        updated_at=now,
    )
    _custom_attributes(state, body.get("custom_attributes"))
    _apply(state, company, body)
    state.companies[company.id] = company
    state.company_by_remote_id[company.company_id] = company.id
    return Reply.json(render_company(state, company))


def get_company(state: SandboxState, call: Call) -> Reply:
    return Reply.json(render_company(state, find_company(state, call.path["company_id"])))


def update_company(state: SandboxState, call: Call) -> Reply:
    company = find_company(state, call.path["company_id"])
    _apply(state, company, call.data)
    return Reply.json(render_company(state, company))


def delete_company(state: SandboxState, call: Call) -> Reply:
    company = find_company(state, call.path["company_id"])
    for seq in company.contact_seqs:
        contact = state.contacts.by_seq(seq)
        if contact is not None:
            contact.company_ids = tuple(c for c in contact.company_ids if c != company.id)
    del state.companies[company.id]
    state.company_by_remote_id.pop(company.company_id, None)
    state.contacts.touch()
    return Reply.json({"id": company.id, "object": "company", "deleted": True})


def _page_of(state: SandboxState, call: Call, companies: list[Company]) -> dict[str, Any]:
    page = call.query.get("page") or 1
    if page < 1:
        raise invalid("page must be at least 1", "page")
    per_page = per_page_value(
        call.query.get("per_page"), DEFAULT_PER_PAGE, MAX_PER_PAGE, clamp=True
    )
    offset = (page - 1) * per_page
    if offset >= PAGE_LIMIT_RECORDS:
        raise ApiError(400, "bad_request", "page limit reached, please use scroll API")
    chunk = companies[offset : offset + per_page]
    return {
        "type": "list",
        "data": [render_company(state, c) for c in chunk],
        "pages": numbered_pages(page, per_page, len(companies)),
        "total_count": len(companies),
    }


def find_companies(state: SandboxState, call: Call) -> Reply:
    companies = list(state.companies.values())
    remote_id, name = call.query.get("company_id"), call.query.get("name")
    if remote_id is not None or name is not None:
        matches = [
            c
            for c in companies
            if (remote_id is None or c.company_id == remote_id) and (name is None or c.name == name)
        ]
        if not matches:
            raise ApiError(404, "company_not_found", "Company Not Found")
        companies = matches
    tag_id, segment_id = call.query.get("tag_id"), call.query.get("segment_id")
    if tag_id is not None:
        companies = [c for c in companies if tag_id in c.tag_ids]
    if segment_id is not None:
        segment = state.segments.get(segment_id)
        companies = [c for c in companies if segment is not None and c.plan in segment.plans]
    return Reply.json(_page_of(state, call, companies))


def list_companies(state: SandboxState, call: Call) -> Reply:
    order = call.query.get("order") or "desc"
    if order not in ("asc", "desc"):
        raise invalid("order must be asc or desc", "order")
    companies = [c for c in state.companies.values() if c.contact_seqs]
    companies.sort(key=lambda c: (c.last_request_at or 0, c.seq), reverse=order == "desc")
    return Reply.json(_page_of(state, call, companies))


def scroll_companies(state: SandboxState, call: Call) -> Reply:
    now = state.clock.now()
    ttl = state.config.scroll_ttl_seconds
    scroll = state.scroll
    if scroll is not None and now - scroll.last_used > ttl:
        state.scroll = scroll = None
    param = call.query.get("scroll_param")
    if not param:
        if scroll is not None:
            raise ApiError(400, "scroll_exists", "scroll already exists for this workspace")
        scroll = Scroll(state.ids.uuid(), list(state.companies), 0, now)
        state.scroll = scroll
    elif scroll is None or scroll.param != param:
        raise ApiError(404, "not_found", "scroll parameter not found")
    size = state.config.scroll_page_size
    ids = scroll.company_ids[scroll.position : scroll.position + size]
    scroll.position += len(ids)
    scroll.last_used = now
    if not ids:
        state.scroll = None  # the empty page ends the scroll and frees the slot
    data = [render_company(state, state.companies[i]) for i in ids if i in state.companies]
    return Reply.json(
        {
            "type": "list",
            "data": data,
            "pages": None,
            "total_count": None,
            "scroll_param": scroll.param,
        }
    )


def _page_params(call: Call, default_per_page: int) -> tuple[int, int]:
    """``page``/``per_page`` from the query, with Intercom's defaults and cap."""
    raw_page, raw_per_page = call.raw("page"), call.raw("per_page")
    page = int(raw_page) if raw_page and raw_page.isdigit() and int(raw_page) > 0 else 1
    per_page = (
        min(int(raw_per_page), MAX_PER_PAGE)
        if raw_per_page and raw_per_page.isdigit()
        else default_per_page
    )
    return page, max(per_page, 1)


def list_attached_companies(state: SandboxState, call: Call) -> Reply:
    contact = find_contact(state, call.path["contact_id"])
    attached = [c for c in contact.company_ids if c in state.companies]
    page, per_page = _page_params(call, 50)
    chunk = attached[(page - 1) * per_page : page * per_page]
    companies = [render_company(state, state.companies[c]) for c in chunk]
    pages = numbered_pages(page, per_page, len(attached))
    pages["next"] = None
    # The spec's schema names the list ``companies``; its recorded example reply says ``data``.
    # Both carry the same list so code written against either reading works.
    return Reply.json(
        {
            "type": "list",
            "companies": companies,
            "data": companies,
            "total_count": len(attached),
            "pages": pages,
        }
    )


def attach_contact_to_company(state: SandboxState, call: Call) -> Reply:
    contact = find_contact(state, call.path["contact_id"])
    company_id = call.data.get("id")
    if not company_id:
        raise ApiError(400, "parameter_not_found", "company not specified", field_name="id")
    company = find_company(state, str(company_id))
    if company.id not in contact.company_ids:
        contact.company_ids = (*contact.company_ids, company.id)
        company.contact_seqs.add(contact.seq)
        company.updated_at = state.now()
        state.contacts.touch()
    return Reply.json(render_company(state, company))


def detach_contact_from_company(state: SandboxState, call: Call) -> Reply:
    contact = find_contact(state, call.path["contact_id"])
    company = find_company(state, call.path["company_id"])
    if company.id in contact.company_ids:
        contact.company_ids = tuple(c for c in contact.company_ids if c != company.id)
        company.contact_seqs.discard(contact.seq)
        company.updated_at = state.now()
        state.contacts.touch()
    return Reply.json(render_company(state, company))


def list_attached_contacts(state: SandboxState, call: Call) -> Reply:
    company = find_company(state, call.path["company_id"])
    store = state.contacts
    contacts = [c for c in (store.by_seq(s) for s in sorted(company.contact_seqs)) if c is not None]
    page, per_page = _page_params(call, 50)
    chunk = contacts[(page - 1) * per_page : page * per_page]
    pages = numbered_pages(page, per_page, len(contacts))
    del pages["next"]
    data = ",".join(store.render(c) for c in chunk)
    return Reply.raw_json(
        f'{{"type":"list","data":[{data}],"total_count":{len(contacts)},"pages":{dumps(pages)}}}'
    )


HANDLERS: dict[str, Handler] = {
    "create_or_update_company": create_or_update_company,
    "find_companies": find_companies,
    "get_company": get_company,
    "update_company": update_company,
    "delete_company": delete_company,
    "list_companies": list_companies,
    "scroll_companies": scroll_companies,
    "list_attached_companies": list_attached_companies,
    "attach_contact_to_company": attach_contact_to_company,
    "detach_contact_from_company": detach_contact_from_company,
    "list_attached_contacts": list_attached_contacts,
}
