"""The webhook endpoint: verify, record, acknowledge — in that order, nothing else.

``POST /webhooks/intercom`` takes every notification of the Intercom app (an app has one
endpoint URL) and routes it by topic to each hosted workflow that subscribes to it:

==========================  ======  =====================================================
delivery                    status  effect
==========================  ======  =====================================================
body over the size limit    413     nothing read past the limit; logged
body slower than the limit  408     ``body_timeout`` for the whole body; logged
no / bad ``X-Hub-Signature`` 401    body never parsed; logged
signed, not a notification  400     logged
topic no workflow wants     200     acknowledged (so Intercom keeps the subscription
                                    active), logged, nothing queued
matching topic              200     queued (committed to SQLite) before this reply;
                                    deliveries arriving together share one commit
same notification id again  200     acknowledged, nothing queued again
==========================  ======  =====================================================

``HEAD`` answers 200 (Intercom checks the URL when it is saved); ``GET /healthz`` says
which workflows are hosted. Runs start in the dispatcher, never in the request: a reply
does not wait for a workflow, and a crash after the reply loses nothing. A commit that
fails answers 500 to every delivery of its group (Intercom sends them again).

The route that takes deliveries is a bare ASGI handler in front of Starlette (which answers
everything else: HEAD, ``/healthz``, 404 and 405): during a burst Starlette's middleware,
request and response objects were a tenth of the receiver's CPU, for nothing this route uses.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from intercom_connector.http.jsoncodec import dumps
from intercom_connector.workflow.triggers.group_commit import GroupCommit
from intercom_connector.workflow.triggers.notifications import (
    PING_TOPIC,
    MalformedNotification,
    TopicRoutes,
    escaped,
    parse_notification,
)
from intercom_connector.workflow.triggers.signature import (
    SIGNATURE_HEADER,
    SignatureRejected,
    verify,
)
from intercom_connector.workflow.triggers.store import TriggerStore

log = logging.getLogger("intercom_connector.triggers")

WEBHOOK_PATH = "/webhooks/intercom"
DEFAULT_MAX_BODY = 1024 * 1024
DEFAULT_BODY_TIMEOUT = 30.0
_SIGNATURE = SIGNATURE_HEADER.lower().encode()
DELIVERIES_QUIET = 0.002
"""Seconds after the last reply the endpoint still counts as taking a burst."""


class _TooLarge(Exception):
    pass


class Deliveries:
    """The deliveries being handled now, and when the last one was answered.

    The dispatcher reads it to let acknowledgements go first (``Dispatcher.receiving``):
    during a burst the count drops to 0 for a moment after every group of replies, before
    the senders' next deliveries arrive, so ``recently`` also counts the last ``quiet``
    seconds as busy.
    """

    __slots__ = ("answered_at", "open")

    def __init__(self) -> None:
        self.open = 0
        self.answered_at = float("-inf")

    def recently(self, quiet: float = DELIVERIES_QUIET) -> bool:
        return self.open > 0 or time.monotonic() - self.answered_at < quiet


async def _read_body(receive: Receive, declared: bytes | None, limit: int) -> bytes:
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


class _Shown:
    """A notification as a log line names it, escaped to stay one line; built only if logged."""

    __slots__ = ("notification_id", "topic")

    def __init__(self, notification_id: str, topic: str) -> None:
        self.notification_id, self.topic = notification_id, topic

    def __str__(self) -> str:
        return f"{escaped(self.notification_id)} ({escaped(self.topic)})"


async def _reply(send: Send, status: int, payload: dict[str, Any] | None = None) -> None:
    body = b"" if payload is None else dumps(payload).encode()
    headers = [(b"content-length", str(len(body)).encode())]
    if payload is not None:
        headers.append((b"content-type", b"application/json"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def webhook_app(
    store: TriggerStore,
    routes: TopicRoutes,
    secret: str,
    *,
    max_body: int = DEFAULT_MAX_BODY,
    body_timeout: float = DEFAULT_BODY_TIMEOUT,
    on_queued: Callable[[], None] = lambda: None,
    commits: GroupCommit | None = None,
    deliveries: Deliveries | None = None,
) -> ASGIApp:
    """The ASGI app of the endpoint; ``on_queued`` wakes the dispatcher; ``commits`` is
    shared with the dispatcher so its writes join the deliveries' transactions; the app
    counts the deliveries it is handling in ``deliveries``."""
    commits = commits or GroupCommit(store)
    handling = deliveries or Deliveries()

    def refuse(scope: Scope, status: int, reason: str) -> tuple[int, dict[str, Any] | None]:
        client = scope.get("client")
        log.warning(
            "webhook refused (%d) from %s: %s", status, client[0] if client else "?", reason
        )
        return status, {"error": reason}

    async def deliver(scope: Scope, receive: Receive) -> tuple[int, dict[str, Any] | None]:
        declared = signature = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
            elif name == _SIGNATURE:
                signature = value.decode("latin-1")
        try:
            async with asyncio.timeout(body_timeout):
                body = await _read_body(receive, declared, max_body)
        except TimeoutError:
            return refuse(scope, 408, f"the body did not arrive within {body_timeout:g} s")
        except _TooLarge:
            return refuse(scope, 413, f"the body is larger than {max_body} bytes")
        except ClientDisconnect:
            return 400, None
        try:
            verify(body, secret, signature)
        except SignatureRejected as rejected:
            return refuse(scope, 401, str(rejected))
        try:
            notification = parse_notification(body)
        except MalformedNotification as malformed:
            return refuse(scope, 400, str(malformed))
        topic, notification_id = notification["topic"], notification["id"]
        shown = _Shown(notification_id, topic)
        workflows = [] if topic == PING_TOPIC else routes.workflows_for(topic)
        if not workflows:
            log.info("notification %s: no hosted workflow wants it", shown)
            return 200, {"status": "ignored", "id": notification_id}
        try:
            added = await commits.record(notification, body.decode("utf-8"), list(workflows))
        except Exception as error:  # the group's commit failed: Intercom sends it again
            log.error("notification %s: not stored (%s); answered 500", shown, error)
            return 500, {"error": "the delivery could not be stored; send it again"}
        if not added:
            log.info("notification %s: a duplicate, not run again", shown)
            return 200, {"status": "duplicate", "id": notification_id}
        log.info("notification %s: queued for %s", shown, ", ".join(added))
        on_queued()
        return 200, {"status": "queued", "id": notification_id, "workflows": added}

    async def head(request: Request) -> Response:
        return Response(status_code=200)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "workflows": sorted(routes.patterns)})

    others = Starlette(
        routes=[
            Route(WEBHOOK_PATH, head, methods=["POST", "HEAD"]),  # POST never gets here
            Route("/healthz", health, methods=["GET"]),
        ]
    )

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == WEBHOOK_PATH:
            handling.open += 1
            try:
                await _reply(send, *await deliver(scope, receive))
            finally:
                handling.open -= 1
                handling.answered_at = time.monotonic()
        else:
            await others(scope, receive, send)

    return app
