import intercom_connector.http as http_layer

EXPECTED = {
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
}


def test_public_names_are_pinned():
    assert set(http_layer.__all__) == EXPECTED


def test_every_public_name_is_importable():
    for name in http_layer.__all__:
        assert getattr(http_layer, name) is not None
