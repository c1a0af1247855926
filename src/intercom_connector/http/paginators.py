"""How to walk a paginated listing: one small strategy per Intercom paging style.

The contract is three methods. `first(request)` adapts the caller's request for page one,
`next(request, reply)` derives the next page's request from the previous one and its reply
(None when done), and `items(reply)` returns the records of a page. Paginators keep the
cursors they have seen, so a fresh one is made per iteration (`make_paginator`), and a
cursor the server hands out twice raises `PaginationError` instead of looping forever.

Styles (see docs/architecture.md):

- cursor:      query `<cursor_param>`; next cursor at a dotted path of the reply (merge
               history also says `has_more`)
- page:        `page` / `per_page` in the query, or in the JSON body (`in_body`); stop at
               `total_pages` or on an empty page
- scroll:      query `scroll_param`, echoed by every reply; stop on an empty page
- search_body: body `pagination: {per_page, starting_after}`; a cursor in the query string
               would silently restart at page one, so it must go in the body
- next_url:    `pages.next` is a URL (or path) to GET as given
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from .errors import PaginationError
from .request import RequestSpec

__all__ = [
    "PAGINATORS",
    "CursorPaginator",
    "NextUrlPaginator",
    "PagePaginator",
    "PaginationSpec",
    "Paginator",
    "ScrollPaginator",
    "SearchBodyPaginator",
    "make_paginator",
]

Page = Mapping[str, Any]


@dataclass(frozen=True)
class PaginationSpec:
    """The catalog's `pagination` object for one operation."""

    style: str
    items: str
    cursor_param: str = "starting_after"
    next_cursor: str = "pages.next.starting_after"
    in_body: bool = False
    per_page_max: int | None = None

    def __post_init__(self) -> None:
        if self.style not in PAGINATORS:
            valid = ", ".join(sorted(PAGINATORS))
            raise ValueError(f"unknown pagination style {self.style!r}; valid styles: {valid}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PaginationSpec:
        """Read the catalog's dict; unknown keys are refused so typos surface at load time."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown pagination keys: {', '.join(unknown)}")
        missing = sorted({"style", "items"} - set(data))
        if missing:
            raise ValueError(f"pagination is missing: {', '.join(missing)}")
        return cls(**dict(data))


def _dig(document: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(document, Mapping):
            return None
        document = document.get(key)
    return document


class Paginator:
    """Base strategy: record extraction and the repeated-cursor guard."""

    style: ClassVar[str]

    def __init__(self, spec: PaginationSpec) -> None:
        self.spec = spec
        self._seen: set[Any] = set()

    def first(self, request: RequestSpec) -> RequestSpec:
        return request

    def next(self, request: RequestSpec, reply: Page) -> RequestSpec | None:
        raise NotImplementedError

    def items(self, reply: Page) -> list[Any]:
        """The records of a page; a missing list key means the spec is wrong, so it raises."""
        try:
            records = reply[self.spec.items]
        except (KeyError, TypeError):
            raise PaginationError(
                f"reply has no {self.spec.items!r} list (style {self.spec.style})"
            ) from None
        if records is None:
            return []
        if not isinstance(records, list):
            raise PaginationError(
                f"reply field {self.spec.items!r} is a {type(records).__name__}, not a list"
            )
        return records

    def _remember(self, cursor: Any) -> None:
        if cursor in self._seen:
            raise PaginationError(f"the server returned the cursor {cursor!r} twice")
        self._seen.add(cursor)

    def _with_default_per_page(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Ask for the largest page the API allows when the caller did not choose a size:
        the same records in far fewer round trips."""
        result = dict(params)
        if self.spec.per_page_max and result.get("per_page") is None:
            result["per_page"] = self.spec.per_page_max
        return result


class CursorPaginator(Paginator):
    style = "cursor"

    def __init__(self, spec: PaginationSpec) -> None:
        super().__init__(spec)
        self._next_path = tuple(spec.next_cursor.split("."))

    def first(self, request: RequestSpec) -> RequestSpec:
        start = request.params.get(self.spec.cursor_param)
        if start is not None:
            self._remember(start)
        params = self._with_default_per_page(request.params)
        return dataclasses.replace(request, params=params) if params != request.params else request

    def next(self, request: RequestSpec, reply: Page) -> RequestSpec | None:
        if reply.get("has_more") is False:
            return None
        cursor = _dig(reply, self._next_path)
        if cursor is None or cursor == "":
            return None
        self._remember(cursor)
        return dataclasses.replace(
            request, params={**request.params, self.spec.cursor_param: cursor}
        )


class PagePaginator(Paginator):
    style = "page"

    def _page_fields(self, request: RequestSpec) -> Mapping[str, Any]:
        if self.spec.in_body:
            return request.json if isinstance(request.json, Mapping) else {}
        return request.params

    def _with_fields(self, request: RequestSpec, fields: dict[str, Any]) -> RequestSpec:
        if self.spec.in_body:
            return dataclasses.replace(request, json=fields)
        return dataclasses.replace(request, params=fields)

    def page_fields(self, request: RequestSpec) -> Mapping[str, Any]:
        """The `page` / `per_page` fields of a request, wherever this listing keeps them."""
        return self._page_fields(request)

    def for_page(self, request: RequestSpec, number: int) -> RequestSpec:
        """The request for page `number`, for fetching known pages concurrently."""
        return self._with_fields(request, {**self._page_fields(request), "page": number})

    def first(self, request: RequestSpec) -> RequestSpec:
        current = self._page_fields(request)
        fields = self._with_default_per_page(current)
        return request if fields == current else self._with_fields(request, fields)

    def next(self, request: RequestSpec, reply: Page) -> RequestSpec | None:
        if not reply.get(self.spec.items):
            return None
        pages = reply.get("pages")
        pages = pages if isinstance(pages, Mapping) else {}
        asked = self._page_fields(request).get("page")
        page = int(asked if asked is not None else pages.get("page") or 1)
        total = pages.get("total_pages", reply.get("total_pages"))
        if total is not None and page >= int(total):
            return None
        return self._with_fields(request, {**self._page_fields(request), "page": page + 1})


class ScrollPaginator(Paginator):
    """Companies scroll. Every reply of one scroll carries the same `scroll_param`, so the
    repeated-cursor guard does not apply; the end is an empty page."""

    style = "scroll"
    param = "scroll_param"

    def next(self, request: RequestSpec, reply: Page) -> RequestSpec | None:
        if not reply.get(self.spec.items):
            return None
        token = reply.get(self.param)
        if not token:
            return None
        return dataclasses.replace(request, params={**request.params, self.param: token})


class SearchBodyPaginator(Paginator):
    style = "search_body"

    def __init__(self, spec: PaginationSpec) -> None:
        super().__init__(spec)
        self._next_path = tuple(spec.next_cursor.split("."))

    @staticmethod
    def _pagination(request: RequestSpec) -> Mapping[str, Any]:
        body = request.json if isinstance(request.json, Mapping) else {}
        pagination = body.get("pagination")
        return pagination if isinstance(pagination, Mapping) else {}

    def _with_pagination(self, request: RequestSpec, pagination: dict[str, Any]) -> RequestSpec:
        body = dict(request.json) if isinstance(request.json, Mapping) else {}
        body["pagination"] = pagination
        return dataclasses.replace(request, json=body)

    def first(self, request: RequestSpec) -> RequestSpec:
        current = self._pagination(request)
        start = current.get("starting_after")
        if start is not None:
            self._remember(start)
        pagination = self._with_default_per_page(current)
        if pagination == current and isinstance(request.json, Mapping):
            return request
        return self._with_pagination(request, pagination)

    def next(self, request: RequestSpec, reply: Page) -> RequestSpec | None:
        cursor = _dig(reply, self._next_path)
        if cursor is None or cursor == "":
            return None
        self._remember(cursor)
        return self._with_pagination(
            request, {**self._pagination(request), "starting_after": cursor}
        )


class NextUrlPaginator(Paginator):
    """Follows `pages.next` links. The link already holds every parameter, so it is fetched
    as given with a GET: re-adding the first request's params would duplicate them."""

    style = "next_url"

    def next(self, request: RequestSpec, reply: Page) -> RequestSpec | None:
        link = _dig(reply, ("pages", "next"))
        if link is None or link == "":
            return None
        if not isinstance(link, str):
            raise PaginationError(f"pages.next should be a URL, got {type(link).__name__}")
        self._remember(link)
        return RequestSpec(
            "GET", link, headers=request.headers, retry_safe=True, accept=request.accept
        )


PAGINATORS: dict[str, type[Paginator]] = {
    cls.style: cls
    for cls in (
        CursorPaginator,
        PagePaginator,
        ScrollPaginator,
        SearchBodyPaginator,
        NextUrlPaginator,
    )
}


def make_paginator(spec: PaginationSpec | Mapping[str, Any]) -> Paginator:
    """A fresh paginator (with its own memory of cursors) for one walk over a listing."""
    if not isinstance(spec, PaginationSpec):
        spec = PaginationSpec.from_dict(spec)
    return PAGINATORS[spec.style](spec)
