"""The asynchronous Intercom client: one pooled httpx client, retries, rate limiting, paging.

It sends `RequestSpec`s and knows nothing about operation names; the catalog layer builds the
requests. Every request goes through the same loop: wait for the shared rate limiter, send,
let the limiter read the reply's rate-limit headers, and on failure ask the retry policy
whether and when to try again.

Listing speed matters (peers spend most of a large listing decoding models), so a reply is
decoded once from bytes into plain dicts and the per-request path allocates little beyond
what httpx itself needs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from contextlib import aclosing
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from intercom_connector import __version__
from intercom_connector.httpx_lib import httpx

from .bearer import BearerAuth, origin_of
from .errors import (
    ConnectionFailed,
    IntercomError,
    InvalidReply,
    PaginationError,
    TransientError,
    error_from_response,
    redact,
)
from .jsoncodec import JSONDecodeError, loads
from .ratelimit import RateLimiter, RateLimitPolicy
from .regions import DEFAULT_VERSION, base_url_for
from .reply import DownloadResult, Reply
from .request import RequestSpec
from .retry import RetryPolicy, plan_retry

if TYPE_CHECKING:  # listings and downloads load their modules when they run
    from .paginators import PaginationSpec, Paginator

__all__ = ["USER_AGENT", "AsyncApiClient", "EventHandler"]

T = TypeVar("T")
EventHandler = Callable[[dict[str, Any]], None]
Sleep = Callable[[float], Awaitable[object]]

JSON_MEDIA_TYPE = "application/json"

USER_AGENT = f"intercom-connector/{__version__}"


def _decode_leniently(content: bytes) -> Any:
    """An error body as JSON when it is JSON, else as bytes."""
    if not content:
        return None
    try:
        return loads(content)
    except JSONDecodeError:
        return content


class AsyncApiClient:
    """Sends requests to one Intercom workspace (one token, one region).

    `retry` and `rate_limit` default to the standard policies (pass `RetryPolicy.none()` or
    `RateLimitPolicy.unlimited()` to switch them off). Pass one `limiter` to several clients
    that share a token, since Intercom counts the budget per app. `clock` is unix time and,
    with `sleep`, exists so tests can run retries and limits on a fake clock. `on_event`
    receives small progress dicts (retries, pages, download progress), never secrets.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        region: str | None = "us",
        base_url: str | None = None,
        version: str = DEFAULT_VERSION,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimitPolicy | None = None,
        limiter: RateLimiter | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        headers: Mapping[str, str] | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        on_event: EventHandler | None = None,
        max_connections: int = 64,
    ) -> None:
        self.base_url = base_url_for(region, base_url)
        self.version = version
        self.retry = retry or RetryPolicy()
        self.limiter = limiter or RateLimiter(
            rate_limit or RateLimitPolicy(), clock=clock, sleep=sleep
        )
        self._sleep = sleep
        self._clock = clock
        self._on_event = on_event
        self._secrets: tuple[str, ...] = (token,) if token else ()
        default_headers = {
            "Accept": JSON_MEDIA_TYPE,
            "Intercom-Version": version,
            "User-Agent": USER_AGENT,
        }
        default_headers.update(headers or {})
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=BearerAuth(token, self.base_url) if token else None,
            headers=default_headers,
            transport=transport,
            timeout=timeout,
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            follow_redirects=True,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, version={self.version!r})"

    async def __aenter__(self) -> AsyncApiClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def pause(self, seconds: float) -> None:
        """Wait with the client's (injectable) sleep, e.g. between reconciliation rounds."""
        await self._sleep(seconds)

    def _throttled(self, wait: float) -> None:
        self.emit({"event": "throttle", "wait": wait})

    def emit(self, event: dict[str, Any]) -> None:
        """Tell the `on_event` listener something happened (never include secrets)."""
        if self._on_event is not None:
            self._on_event(event)

    async def aclose(self) -> None:
        """Close pooled connections. The client cannot be used afterwards."""
        await self._http.aclose()

    # -- sending ---------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any | None = None,
        headers: Mapping[str, str] | None = None,
        retry_safe: bool | None = None,
        accept: str = JSON_MEDIA_TYPE,
        raise_for_status: bool = True,
    ) -> Reply:
        """Send one request; `retry_safe` defaults to True for GET, HEAD, PUT, DELETE, OPTIONS."""
        spec = RequestSpec(
            method,
            url,
            params=dict(params or {}),
            json=json,
            headers=dict(headers or {}),
            retry_safe=retry_safe,
            accept=accept,
        )
        return await self.send(spec, raise_for_status=raise_for_status)

    async def send(
        self,
        request: RequestSpec,
        *,
        raise_for_status: bool = True,
        retry: RetryPolicy | None = None,
    ) -> Reply:
        """Send with retries and rate limiting.

        A non-2xx reply raises its `IntercomError`, unless `raise_for_status` is False: then
        the final reply is returned as it is (after the same retries), for callers that show
        raw answers. Connection failures always raise.
        """
        try:
            return await self._with_retries(self._send_once, request, retry or self.retry)
        except IntercomError as error:
            if raise_for_status or error.reply is None:
                raise
            return error.reply

    async def _with_retries(
        self,
        attempt_once: Callable[[RequestSpec], Awaitable[T]],
        request: RequestSpec,
        policy: RetryPolicy | None = None,
    ) -> T:
        policy = policy or self.retry
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            await self.limiter.acquire(self._throttled if self._on_event else None)
            try:
                return await attempt_once(request)
            except TransientError as error:
                elapsed = self._clock() - started
                wait = plan_retry(policy, attempt, error, bool(request.retry_safe), elapsed)
                if wait is None:
                    raise
                if self._on_event is not None:
                    self._on_event(
                        {
                            "event": "retry",
                            "attempt": attempt,
                            "wait": wait,
                            "reason": str(error),
                        }
                    )
                await self._sleep(wait)

    def _headers_for(self, request: RequestSpec) -> Mapping[str, str] | None:
        if request.accept == JSON_MEDIA_TYPE:
            return request.headers or None
        return {**request.headers, "Accept": request.accept}

    async def _send_once(self, request: RequestSpec) -> Reply:
        started = self._clock()
        try:
            response = await self._http.request(
                request.method,
                request.url,
                params=request.params or None,
                json=request.json,
                headers=self._headers_for(request),
            )
        except httpx.TransportError as exc:
            raise self._connection_failed(request, exc) from exc
        except httpx.RequestError as exc:  # undecodable body, redirect loop: not transient
            raise self._unreadable(request, exc) from exc
        headers = response.headers
        self.limiter.observe(headers)
        status = response.status_code
        if not 200 <= status < 300:
            error = self._error_for(response, response.content)
            error.reply = Reply(
                status,
                headers,
                _decode_leniently(response.content),
                error.request_id,
                self._clock() - started,
            )
            raise error
        return Reply(
            status,
            headers,
            self._decode(request, response),
            headers.get("x-request-id"),
            self._clock() - started,
        )

    def _decode(self, request: RequestSpec, response: httpx.Response) -> Any:
        content = response.content
        if not content:
            return None
        expects_json = "json" in request.accept
        if expects_json or "json" in response.headers.get("content-type", ""):
            try:
                return loads(content)
            except JSONDecodeError:
                if expects_json:
                    raise InvalidReply(
                        f"expected JSON, got {response.headers.get('content-type') or 'no type'}",
                        status=response.status_code,
                        method=request.method,
                        url=str(response.request.url),
                    ) from None
        return content

    def _error_for(self, response: httpx.Response, body: bytes) -> IntercomError:
        return error_from_response(
            response.status_code,
            body,
            response.headers,
            method=response.request.method,
            url=str(response.request.url),
            secrets=self._secrets,
            now=self._clock(),
        )

    def _connection_failed(self, request: RequestSpec, exc: httpx.TransportError) -> IntercomError:
        detail = redact(str(exc) or "no detail", self._secrets)
        try:
            url = str(exc.request.url)
        except RuntimeError:  # the error was raised before a request existed
            url = request.url
        return ConnectionFailed(
            f"{type(exc).__name__}: {detail}",
            transport_error=exc,
            method=request.method,
            url=redact(url, self._secrets),
        )

    def _unreadable(self, request: RequestSpec, exc: httpx.RequestError) -> IntercomError:
        detail = redact(str(exc) or "no detail", self._secrets)
        return InvalidReply(
            f"{type(exc).__name__}: {detail}", method=request.method, url=request.url
        )

    # -- paging ----------------------------------------------------------------------------

    async def pages(
        self, request: RequestSpec, pagination: PaginationSpec | Mapping[str, Any]
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Every page of a listing, as decoded reply dicts."""
        from .paginators import make_paginator

        async with aclosing(self._walk(make_paginator(pagination), request)) as walk:
            async for page in walk:
                yield page

    async def iterate(
        self, request: RequestSpec, pagination: PaginationSpec | Mapping[str, Any]
    ) -> AsyncGenerator[Any, None]:
        """Every record of a listing, across pages, fetched one page at a time."""
        from .paginators import make_paginator

        paginator = make_paginator(pagination)
        async with aclosing(self._walk(paginator, request)) as walk:
            async for page in walk:
                for record in paginator.items(page):
                    yield record

    async def _walk(
        self, paginator: Paginator, request: RequestSpec
    ) -> AsyncGenerator[dict[str, Any], None]:
        current: RequestSpec | None = paginator.first(request)
        number = 0
        while current is not None:
            reply = await self.send(current)
            page = reply.body
            if not isinstance(page, dict):
                raise InvalidReply(
                    f"expected a JSON object page, got {type(page).__name__}",
                    status=reply.status_code,
                    method=current.method,
                    url=current.url,
                )
            number += 1
            if self._on_event is not None:
                self._on_event({"event": "page", "page": number, "url": current.url})
            yield page
            sent = current
            try:
                current = paginator.next(sent, page)
                if current is not None:
                    self._refuse_foreign_page(current.url)
            except PaginationError as error:
                error.method, error.url = sent.method, sent.url
                raise

    def _refuse_foreign_page(self, link: str) -> None:
        """A next-page link elsewhere would merge another server's records into the listing."""
        base = httpx.URL(self.base_url)
        try:
            target = base.join(link)
        except httpx.InvalidURL as error:
            raise PaginationError(f"the next page link {link!r} is not a URL: {error}") from None
        if origin_of(target) != origin_of(base):
            origin = f"{base.scheme}://{base.netloc.decode('ascii')}"
            raise PaginationError(
                f"the next page link {link!r} leaves {origin}; the listing stopped there"
            )

    # -- downloads -------------------------------------------------------------------------

    async def download(
        self, request: RequestSpec, dest_dir: Path | str, filename: str
    ) -> DownloadResult:
        """Stream a reply body to `dest_dir/filename`, atomically; retries start over."""
        from .download import download_target

        target = download_target(dest_dir, filename)

        async def attempt(spec: RequestSpec) -> DownloadResult:
            return await self._download_once(spec, target)

        return await self._with_retries(attempt, request)

    async def _download_once(self, request: RequestSpec, target: Path) -> DownloadResult:
        from .download import mime_type_for, stream_to_file

        try:
            async with self._http.stream(
                request.method,
                request.url,
                params=request.params or None,
                json=request.json,
                headers=self._headers_for(request),
            ) as response:
                self.limiter.observe(response.headers)
                if not 200 <= response.status_code < 300:
                    raise self._error_for(response, await response.aread())
                mime_type = mime_type_for(response.headers.get("content-type"), target.name)
                return await stream_to_file(
                    response.aiter_bytes(), target, mime_type, self._progress(target, response)
                )
        except httpx.TransportError as exc:
            raise self._connection_failed(request, exc) from exc
        except httpx.RequestError as exc:
            raise self._unreadable(request, exc) from exc

    def _progress(self, target: Path, response: httpx.Response) -> Callable[[int], None] | None:
        on_event = self._on_event
        if on_event is None:
            return None
        length = response.headers.get("content-length")
        total = int(length) if length and length.isdigit() else None

        def report(size: int) -> None:
            on_event({"event": "download", "name": target.name, "bytes": size, "total": total})

        return report
