"""The HTTP layer: how requests reach Intercom, and what comes back.

Regions and the pinned API version, a retry policy, a shared rate limiter, paginators for
Intercom's five paging styles, error classes grouped by what to do next, and the clients that
combine them (`AsyncApiClient`, and `ApiClient` for blocking code). Nothing here knows about
operation names: the catalog layer turns operations into `RequestSpec`s.
"""

from typing import TYPE_CHECKING

from intercom_connector.lazy_import import attach

if TYPE_CHECKING:
    from .client import USER_AGENT, AsyncApiClient, EventHandler
    from .errors import (
        AuthenticationError,
        BadRequest,
        ClientError,
        Conflict,
        ConnectionFailed,
        IntercomError,
        InvalidReply,
        NotFound,
        PaginationError,
        PermissionDenied,
        RateLimitExceeded,
        ServerError,
        TransientError,
        UnprocessableEntity,
        error_from_response,
        redact,
    )
    from .paginators import (
        PAGINATORS,
        CursorPaginator,
        NextUrlPaginator,
        PagePaginator,
        PaginationSpec,
        Paginator,
        ScrollPaginator,
        SearchBodyPaginator,
        make_paginator,
    )
    from .ratelimit import RateLimiter, RateLimitPolicy, shared_limiter
    from .regions import DEFAULT_VERSION, REGION_URLS, base_url_for
    from .reply import DownloadResult, Reply
    from .request import RequestSpec
    from .retry import (
        RetryPolicy,
        backoff_delay,
        full_jitter,
        plan_retry,
        rate_limit_delay,
        should_retry,
    )
    from .sync import ApiClient

__all__ = [
    "DEFAULT_VERSION",
    "PAGINATORS",
    "REGION_URLS",
    "USER_AGENT",
    "ApiClient",
    "AsyncApiClient",
    "AuthenticationError",
    "BadRequest",
    "ClientError",
    "Conflict",
    "ConnectionFailed",
    "CursorPaginator",
    "DownloadResult",
    "EventHandler",
    "IntercomError",
    "InvalidReply",
    "NextUrlPaginator",
    "NotFound",
    "PagePaginator",
    "PaginationError",
    "PaginationSpec",
    "Paginator",
    "PermissionDenied",
    "RateLimitExceeded",
    "RateLimitPolicy",
    "RateLimiter",
    "Reply",
    "RequestSpec",
    "RetryPolicy",
    "ScrollPaginator",
    "SearchBodyPaginator",
    "ServerError",
    "TransientError",
    "UnprocessableEntity",
    "backoff_delay",
    "base_url_for",
    "error_from_response",
    "full_jitter",
    "make_paginator",
    "plan_retry",
    "rate_limit_delay",
    "redact",
    "shared_limiter",
    "should_retry",
]

__getattr__, __dir__ = attach(__name__, __file__)
