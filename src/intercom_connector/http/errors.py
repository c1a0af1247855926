"""Errors of the HTTP layer, grouped by what the caller should do next.

::

    IntercomError                   anything this layer raises (an OperationFailed, exit 1)
    ├── TransientError              try again later; the same request may well succeed
    │   ├── RateLimitExceeded       429; `retry_after` says how long the server asked to wait
    │   ├── ServerError             5xx
    │   └── ConnectionFailed        network error or timeout; `request_sent` says whether the
    │                               server may have seen the request
    ├── ClientError                 fix the request: sending it unchanged fails again (other 4xx)
    │   ├── BadRequest              400
    │   ├── AuthenticationError     401 (also an AuthError: exit 3)
    │   ├── PermissionDenied        403 (exit 3); `missing_scope` names the scope Intercom says
    │   ├── NotFound                404
    │   ├── Conflict                409
    │   └── UnprocessableEntity     422
    ├── PaginationError             the API broke its paging contract (repeated cursor, no list)
    └── InvalidReply                a reply we cannot read (not JSON where JSON was expected)

Every error carries what Intercom said (status, code, message, request_id and the whole
`error.list`) and where it happened (method, url, and `operation`, which the catalog layer
sets because only it knows operation names); errors built from a reply keep that reply.
Messages pass through `redact` (the project's one masking rule, ``redaction.py``) so that
a token echoed by a proxy or a log line never ends up in a traceback.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from intercom_connector.errors import AuthError, OperationFailed
from intercom_connector.httpx_lib import httpx
from intercom_connector.redaction import redact

from .jsoncodec import JSONDecodeError, loads
from .wait_headers import rate_limit_delay

_WHITESPACE = re.compile(r"\s+")
_MISSING_SCOPE = re.compile(r"lacks\s+(?:the\s+)?([A-Za-z0-9_.:-]+)\s+scope")
_MAX_BODY_EXCERPT = 200


def _redacted(value: Any, secrets: Iterable[str | None]) -> Any:
    return redact(value, secrets) if isinstance(value, str) else value


def _one_line(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def _display_path(url: str) -> str:
    """The path of a URL: short enough for a one-line message, free of cursors and hosts."""
    path = urlsplit(url).path
    return path or url


class IntercomError(OperationFailed):
    """Base of every error raised by the HTTP layer."""

    label = "intercom error"

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        method: str | None = None,
        url: str | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = _one_line(message)
        self.status = status
        self.code = code
        self.request_id = request_id
        self.errors: list[dict[str, Any]] = errors if errors is not None else []
        self.method = method
        self.url = url
        self.operation = operation
        # The whole non-2xx reply (an http.Reply), set by the client for callers that want
        # the raw answer rather than an exception (the universal "raw request" operation).
        self.reply: Any = None

    def __str__(self) -> str:
        head = " ".join(part for part in (str(self.status or ""), self.code or "") if part)
        text = f"{head}: {self.message}" if head and self.message else head or self.message
        context = []
        if self.operation:
            context.append(self.operation)
        if self.method and self.url:
            context.append(f"{self.method} {_display_path(self.url)}")
        if self.request_id:
            context.append(f"request_id={self.request_id}")
        if context:
            text = f"{text} ({', '.join(context)})"
        return text or type(self).__name__

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r}, "
            f"method={self.method!r}, url={self.url!r}, operation={self.operation!r})"
        )


class TransientError(IntercomError):
    """The request may succeed if sent again later; the retry policy decides whether to."""


class RateLimitExceeded(TransientError):
    """429: the server did not process the request; `retry_after` is its requested wait."""

    def __init__(self, message: str = "", *, retry_after: float | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(TransientError):
    """5xx: Intercom failed; it may or may not have applied the request."""


class ConnectionFailed(TransientError):
    """The exchange broke below HTTP: DNS, connect, TLS, reset, or a timeout.

    `request_sent` is False only when the failure happened before any byte reached the
    server (connect errors and timeouts, pool timeouts): such a request is safe to send
    again even when it is not idempotent.
    """

    _NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

    def __init__(
        self,
        message: str = "",
        *,
        transport_error: httpx.TransportError | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.transport_error = transport_error

    @property
    def request_sent(self) -> bool:
        return not isinstance(self.transport_error, self._NEVER_SENT)


class ClientError(IntercomError):
    """4xx: the request itself is wrong; sending it again unchanged will fail again."""


class BadRequest(ClientError):
    """400."""


class AuthenticationError(AuthError, ClientError):
    """401: the token is missing, invalid or revoked."""

    label = "authentication"


class PermissionDenied(AuthError, ClientError):
    """403: the token is valid but not allowed; often a missing OAuth scope."""

    label = "permission denied"

    @property
    def missing_scope(self) -> str | None:
        """The scope named by messages like "OAuth token lacks read_conversations scope"."""
        texts = [str(item.get("message") or "") for item in self.errors] or [self.message]
        for text in texts:
            match = _MISSING_SCOPE.search(text)
            if match:
                return match.group(1)
        return None


class NotFound(ClientError):
    """404."""


class Conflict(ClientError):
    """409: the resource changed or already exists."""


class UnprocessableEntity(ClientError):
    """422: well-formed but semantically invalid input."""


class PaginationError(IntercomError):
    """The API's paging broke its contract: a cursor seen twice, or no list where one belongs."""


class InvalidReply(IntercomError):
    """A reply we cannot read, such as HTML from a proxy where JSON was expected."""


STATUS_ERRORS: dict[int, type[IntercomError]] = {
    400: BadRequest,
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    422: UnprocessableEntity,
    429: RateLimitExceeded,
}


def error_class_for(status: int) -> type[IntercomError]:
    """The class for a status: an exact match first, then the 4xx / 5xx family."""
    exact = STATUS_ERRORS.get(status)
    if exact is not None:
        return exact
    if 400 <= status < 500:
        return ClientError
    if status >= 500:
        return ServerError
    return IntercomError


def _envelope(body: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The decoded body (or {}) and its `errors` list (or [])."""
    if not body:
        return {}, []
    try:
        document = loads(body)
    except JSONDecodeError:
        return {}, []
    if not isinstance(document, dict):
        return {}, []
    items = document.get("errors")
    errors = [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    return document, errors


def _describe(errors: list[dict[str, Any]]) -> str:
    """One line for all errors; codes after the first are named since the head shows only one."""
    parts = []
    for index, item in enumerate(errors):
        text = str(item.get("message") or "")
        if item.get("field"):
            text = f"{text} (field {item['field']})" if text else f"field {item['field']}"
        if index and item.get("code"):
            text = f"{item['code']}: {text}" if text else str(item["code"])
        if text:
            parts.append(text)
    return "; ".join(parts)


def _body_excerpt(body: bytes) -> str:
    text = _one_line(body[: _MAX_BODY_EXCERPT * 4].decode("utf-8", errors="replace"))
    if len(text) > _MAX_BODY_EXCERPT:
        text = text[:_MAX_BODY_EXCERPT] + "..."
    return text


def error_from_response(
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    *,
    method: str | None,
    url: str | None,
    secrets: Iterable[str | None] = (),
    now: float | None = None,
) -> IntercomError:
    """Build the error for a non-2xx reply.

    Reads Intercom's `error.list` envelope when there is one; otherwise uses a generic JSON
    `message`/`error` field, an excerpt of a non-JSON body, or the HTTP reason phrase.
    `secrets` (the token) are redacted from the message and URL. `now` is the unix time used to
    turn `X-RateLimit-Reset` into a wait; it defaults to the system clock.
    """
    if not isinstance(headers, httpx.Headers):
        headers = httpx.Headers(headers)  # case-insensitive, like the reply's own headers
    secrets = tuple(secrets)
    document, errors = _envelope(body)
    errors = [{key: _redacted(value, secrets) for key, value in item.items()} for item in errors]
    code = next((str(item["code"]) for item in errors if item.get("code")), None)
    message = _describe(errors)
    if not message:
        generic = document.get("message") or document.get("error")
        if isinstance(generic, str):
            message = generic
        elif body and not document:
            message = _body_excerpt(body)
    if not message:
        message = httpx.codes.get_reason_phrase(status) or "HTTP error"
    request_id = document.get("request_id") or headers.get("x-request-id")

    fields: dict[str, Any] = {
        "status": status,
        "code": code,
        "request_id": str(request_id) if request_id else None,
        "errors": errors,
        "method": method,
        "url": redact(url, secrets) if url else url,
    }
    cls = error_class_for(status)
    if cls is RateLimitExceeded:
        fields["retry_after"] = rate_limit_delay(headers, time.time() if now is None else now)
    return cls(redact(message, secrets), **fields)
