"""The sandbox ASGI app: authentication, knobs, routing, validation and dispatch.

One request goes: bearer token (401) → rate-limit window (429, and the ``X-RateLimit-*``
headers on every authenticated reply) → latency → injected fault *before* the handler →
route (404/405) → input validation (400/422) → handler (stateful, or a schema-shaped
generic reply) → injected fault *after* the handler → request log. OAuth endpoints sit
outside bearer auth, and ``/_sandbox/*`` admin endpoints outside the limit and the log.

The app speaks raw ASGI (``wire_request`` reads the request) because the hot path — a page
of contacts — should cost the server little next to the client it is measuring.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import replace
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from intercom_connector.httpx_lib import httpx

from . import versions
from .call import Call
from .catalog_data import Operation, spec_operation, spec_routes
from .config import FaultTiming, SandboxConfig
from .handlers import handler_for, modelled_operations
from .knobs import (
    ConnectionDropped,
    FaultInjector,
    Latency,
    RateLimiter,
    fault_reply,
    limit_reply,
)
from .negotiation import check_acceptable
from .replies import ApiError, Reply, new_request_id
from .requestlog import RequestLog, RequestRecord
from .routing import MethodNotAllowed, Router
from .staff import seed_staff
from .state import SandboxState
from .validation import InputValidator
from .wire_request import ClientDisconnect, WireRequest

if TYPE_CHECKING:
    from .journal import StateJournal
    from .webhooks import WebhookSender

logger = logging.getLogger(__name__)

CLIENT_DISCONNECTED = "client_disconnect"
"""The request log's ``fault`` for a client that left before its request was read."""

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

DEFAULT_BASE_URL = "http://intercom-sandbox.test"
TRANSPORT_KEY = "intercom_sandbox.transport"
"""Scope extension under which ``server.py`` hands the app the socket, to drop it."""


@cache
def api_router() -> Router[str]:
    """Method and path to the name of the operation serving them."""
    router: Router[str] = Router()
    for method, path, name in spec_routes():
        router.add(method, path, name)
    return router


@cache
def validator_for(op: Operation, version: str) -> InputValidator:
    op = versions.operation_under(op, version)
    if "query" in op.properties:  # a search, maybe: its language is loaded with its first use
        from .search import query_checked_here

        op = query_checked_here(op)
    return InputValidator(op)


def stateful_operations() -> frozenset[str]:
    """Names of the catalog operations answered by hand-written resource models.

    The operations of the spec's other collections hold state too, generically
    (``collection_handlers``); the rest answer with schema-shaped replies.
    """
    return modelled_operations()


def build_state(config: SandboxConfig) -> SandboxState:
    """The state of a fresh workspace: admins and teams now, the other records on first use."""
    state = SandboxState(config)
    seed_staff(state)
    return state


def _check_scope(op: Operation, granted: tuple[str, ...] | None) -> None:
    if granted is not None and op.scope is not None and op.scope not in granted:
        raise ApiError(403, "forbidden", f"OAuth token lacks {op.scope} scope")


class Sandbox:
    """A local Intercom: the ASGI app plus its state, knobs and request log.

    Pass the instance (or ``.app``) to ``httpx.ASGITransport`` for in-process use, or to
    ``run_in_thread`` for a real socket. Knob changes (``configure``) apply to the next
    request; data sizes and the seed apply on ``reset``.
    """

    def __init__(self, config: SandboxConfig | None = None, base_url: str = DEFAULT_BASE_URL):
        self.config = config or SandboxConfig()
        self.base_url = base_url
        self.requests = RequestLog(self.config.request_log_size)
        self.faults = FaultInjector(self.config)
        self._latency = Latency(self.config)
        self._limiter = RateLimiter(self.config.clock)
        self.journal: StateJournal | None = None
        if self.config.state_path:
            from .journal import StateJournal  # sqlite3: only for a workspace kept in a file

            self.journal = StateJournal(Path(self.config.state_path), self.config)
        self.state = build_state(self.config)
        self._replay()

    # --- Python API -----------------------------------------------------------------
    @property
    def app(self) -> Sandbox:
        return self

    @cached_property
    def webhooks(self) -> WebhookSender:
        """Notifications of the sandbox's writes; made with the first write, or when asked."""
        from .webhooks import WebhookSender

        return WebhookSender(lambda: self.state)

    @property
    def token(self) -> str:
        return self.config.token

    def configure(self, **changes: Any) -> SandboxConfig:
        self.config = replace(self.config, **changes)
        self.state.config = self.config
        self._limiter = RateLimiter(self.config.clock) if "clock" in changes else self._limiter
        return self.config

    def subscribe(
        self, url: str | None, secret: str | None = None, topics: tuple[str, ...] = ()
    ) -> SandboxConfig:
        """Send signed notifications of this sandbox's events to ``url`` (None: stop)."""
        return self.configure(webhook_url=url, webhook_secret=secret, webhook_topics=topics)

    def close(self) -> None:
        """Release the state file, if any (the workspace stays in it for the next start)."""
        if self.journal is not None:
            self.journal.close()

    def reset(self) -> None:
        """Reseed from the current config and forget requests, faults and rate windows.

        A state file forgets its journaled writes too.
        """
        if self.journal is not None:
            self.journal.clear()
        self.state = build_state(self.config)
        if self.requests.maxlen == self.config.request_log_size:
            self.requests.clear()  # in place: callers may hold the log object
        else:
            self.requests = RequestLog(self.config.request_log_size)
        self.faults = FaultInjector(self.config)
        self._latency = Latency(self.config)
        self._limiter = RateLimiter(self.config.clock)

    def inject(
        self,
        kind: str | int,
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        timing: FaultTiming = "before",
    ) -> None:
        """Make the next ``times`` API requests (matching ``method``/``path``) fail.

        ``kind``: an HTTP status (500, 502, 503, or any 4xx/5xx), ``"drop"`` (close the
        connection without a reply) or ``"slow"`` (answer after ``slow_seconds``).
        ``timing="after"`` lets the handler run first, so the write happens and only the
        reply is lost.
        """
        self.faults.inject(kind, times=times, method=method, path=path, timing=timing)

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        """An httpx client wired to this sandbox in-process, authenticated with its token."""
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self),
            base_url=kwargs.pop("base_url", self.base_url),
            headers=headers,
            **kwargs,
        )

    # --- ASGI -----------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        request = WireRequest(scope, receive)
        reply = await self._handle(request, scope, receive)
        if reply is None:
            return
        headers = [(k.lower().encode(), v.encode()) for k, v in reply.headers.items()]
        if reply.content_type:
            headers.append((b"content-type", reply.content_type.encode()))
        headers.append((b"content-length", str(len(reply.body)).encode()))
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": reply.body})

    async def _handle(self, request: WireRequest, scope: Scope, receive: Receive) -> Reply | None:
        path = scope["path"]
        if path.startswith("/_sandbox/"):
            return await self._admin(request, path)
        started_at = self.config.clock.now()
        started = time.perf_counter()
        request_id = new_request_id()
        fault_name: str | None = None
        op_name: str | None = None
        reply: Reply | None = None
        try:
            reply, fault_name, op_name = await self._api(request, scope, path, request_id)
        finally:
            status = reply.status if reply is not None else None
            self.requests.append(
                RequestRecord(
                    method=scope["method"],
                    path=path,
                    query=scope.get("query_string", b"").decode("latin-1"),
                    status=status,
                    started_at=started_at,
                    duration_ms=(time.perf_counter() - started) * 1000,
                    fault=fault_name,
                    operation=op_name,
                    request_id=request_id,
                )
            )
        if reply is None:
            if fault_name != CLIENT_DISCONNECTED:
                await self._drop(scope, receive)
            return None
        reply.headers.setdefault("X-Request-Id", request_id)
        return reply

    async def _api(
        self, request: WireRequest, scope: Scope, path: str, request_id: str
    ) -> tuple[Reply | None, str | None, str | None]:
        """The reply (``None`` for a dropped connection), the fault applied, the operation."""
        method = scope["method"]
        config = self.config
        if path in ("/oauth", "/auth/eagle/token"):
            return await self._oauth(request, method, path, request_id), None, None
        if not self.state.valid_token(_bearer(request)):
            error = ApiError(401, "unauthorized", "Access Token Invalid")
            return error.reply(request_id), None, None
        decision = self._limiter.hit(config.rate_limit, config.rate_limit_window_seconds)
        rate_headers = decision.headers if decision is not None else {}
        if decision is not None and not decision.allowed:
            limited = limit_reply(config, request_id)
            limited.headers.update(rate_headers)
            return limited, None, None
        delay = self._latency.draw(config)
        if delay > 0:
            await asyncio.sleep(delay)
        fault = self.faults.decide(config, method, path)
        fault_name = fault.kind if fault is not None else None
        if fault is not None and fault.kind == "slow":
            await asyncio.sleep(config.slow_seconds)
            fault = None
        op_name: str | None = None
        reply: Reply | None
        if fault is not None and fault.timing == "before":
            reply = None if fault.kind == "drop" else fault_reply(fault, request_id, config)
        else:
            try:
                version = versions.requested_version(request.headers)
                op, params = self._route(method, path)
                versions.check_exists(op, version)
                _check_scope(op, config.scopes)
                op_name = op.name
                reply = await self._operation(request, op, params, version)
            except ApiError as error:
                reply = error.reply(request_id)
            except ClientDisconnect:  # the client left mid-request: nobody to answer
                logger.info("client disconnected during %s %s", method, path)
                return None, CLIENT_DISCONNECTED, op_name
            except Exception as exc:  # a sandbox bug must still look like an Intercom 500
                logger.exception("sandbox handler failed for %s %s", method, path)
                detail = f"Sandbox error: {type(exc).__name__}: {exc}"
                reply = ApiError(500, "server_error", detail).reply(request_id)
            if fault is not None:
                reply = None if fault.kind == "drop" else fault_reply(fault, request_id, config)
        if reply is not None:
            reply.headers.update(rate_headers)
        return reply, fault_name, op_name

    def _route(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        try:
            match = api_router().match(method, path)
        except MethodNotAllowed as exc:
            raise ApiError(
                405,
                "method_not_allowed",
                f"{method} is not supported here; use {', '.join(exc.allowed)}",
                headers={"Allow": ", ".join(exc.allowed)},
            ) from exc
        if match is None:
            raise ApiError(404, "not_found", "Resource Not Found")
        return spec_operation(match.target), match.params

    async def _operation(
        self, request: WireRequest, op: Operation, params: dict[str, str], version: str
    ) -> Reply:
        check_acceptable(op, request.headers.get("accept"))
        raw = await request.body() if validator_for(op, version).accepts_body else b""
        query = request.scope.get("query_string", b"").decode("latin-1")
        base_url = str(request.base_url).rstrip("/")
        reply = self._dispatch(op, params, version, query, raw, request.headers, base_url)
        if self.journal is not None:
            from .journal import Write, journaled

            if journaled(op.method, reply.status):
                at = self.config.clock.now()
                write = Write(at, op.method, request.scope["path"], query, version, raw)
                self.journal.append(write)
        return reply

    def _dispatch(
        self,
        op: Operation,
        params: dict[str, str],
        version: str,
        query: str,
        raw: bytes,
        headers: Mapping[str, str],
        base_url: str,
        notify: bool = True,
    ) -> Reply:
        validator = validator_for(op, version)
        has_body = bool(raw.strip())
        body: Any = None
        if has_body:
            try:
                body = json.loads(raw)
            except ValueError as exc:
                raise ApiError(400, "bad_request", "The request body is not valid JSON") from exc
        pairs = parse_qsl(query, True)
        valid = validator.validate(pairs, body, has_body)
        call = Call(
            op=op,
            path=params,
            query=valid.query,
            body=valid.body,
            raw_query=pairs,
            headers=headers,
            base_url=base_url,
        )
        handler = handler_for(op.name)
        if handler is None:
            from .generic import generic_reply

            return generic_reply(op, call)
        reply = handler(self.state, call)
        if notify and self.config.webhook_url:  # the sender loads with its first use
            self.webhooks.observe(op.name, call, reply)
        return reply

    def _replay(self) -> None:
        """Rebuild the workspace from the journal (see ``journal.replay``)."""
        if self.journal is None:
            return
        from .journal import Write, replay

        def apply(write: Write) -> None:
            op, params = self._route(write.method, write.path)
            headers = {"intercom-version": write.version}
            args = (write.version, write.query, write.body, headers, self.base_url)
            self._dispatch(op, params, *args, notify=False)

        replay(self.journal, self.state, apply)

    async def _oauth(self, request: WireRequest, method: str, path: str, request_id: str) -> Reply:
        from . import oauth

        raw = await request.body()
        try:
            if path == "/oauth":
                params: dict[str, str] = dict(request.query_params)
                if method == "POST":
                    params.update(parse_qsl(raw.decode("utf-8", "replace")))
                elif method != "GET":
                    raise ApiError(405, "method_not_allowed", "Use GET or POST")
                return oauth.authorize(self.state, params)
            if method != "POST":
                raise ApiError(405, "method_not_allowed", "Use POST", headers={"Allow": "POST"})
            return oauth.exchange_code(self.state, _form_or_json(request, raw))
        except ApiError as error:
            return error.reply(request_id)

    async def _admin(self, request: WireRequest, path: str) -> Reply:
        request_id = new_request_id()
        if not self.state.valid_token(_bearer(request)):
            return ApiError(401, "unauthorized", "Access Token Invalid").reply(request_id)
        method = request.method
        if path == "/_sandbox/requests" and method == "GET":
            return Reply.json({"type": "request.list", "requests": self.requests.to_list()})
        if path == "/_sandbox/reset" and method == "POST":
            self.reset()
            return Reply.json({"reset": True})
        if path == "/_sandbox/faults" and method == "POST":
            try:
                spec = json.loads(await request.body() or b"{}")
                self.inject(spec.pop("kind"), **spec)
            except (ValueError, KeyError, TypeError) as exc:
                return ApiError(400, "parameter_invalid", f"bad fault spec: {exc}").reply(
                    request_id
                )
            return Reply.json({"injected": True})
        return ApiError(404, "not_found", "Resource Not Found").reply(request_id)

    async def _drop(self, scope: Scope, receive: Receive) -> None:
        transport = scope.get("extensions", {}).get(TRANSPORT_KEY)
        if transport is None:
            raise ConnectionDropped("Server closed the connection without sending a response")
        transport.abort()
        # Wait for the server to notice, so it does not answer 500 on our behalf.
        while (await receive())["type"] != "http.disconnect":
            pass


def _bearer(request: WireRequest) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _form_or_json(request: WireRequest, raw: bytes) -> dict[str, object]:
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        try:
            value = json.loads(raw or b"{}")
        except ValueError as exc:
            raise ApiError(400, "bad_request", "The request body is not valid JSON") from exc
        return value if isinstance(value, dict) else {}
    return dict(parse_qsl(raw.decode("utf-8", "replace")))


def create_app(config: SandboxConfig | None = None) -> Sandbox:
    """A new sandbox; its ``.app`` (or the sandbox itself) is the ASGI application."""
    return Sandbox(config)
