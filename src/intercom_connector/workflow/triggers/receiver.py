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
does not wait for a workflow, and a crash after the reply loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

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


class _TooLarge(Exception):
    pass


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


def webhook_app(
    store: TriggerStore,
    routes: TopicRoutes,
    secret: str,
    *,
    max_body: int = DEFAULT_MAX_BODY,
    body_timeout: float = DEFAULT_BODY_TIMEOUT,
    on_queued: Callable[[], None] = lambda: None,
    commits: GroupCommit | None = None,
) -> Starlette:
    """The ASGI app of the endpoint; ``on_queued`` wakes the dispatcher; ``commits`` is
    shared with the dispatcher so its writes join the deliveries' transactions."""
    commits = commits or GroupCommit(store)

    def refuse(request: Request, status: int, reason: str) -> Response:
        log.warning("webhook refused (%d) from %s: %s", status, _client(request), reason)
        return JSONResponse({"error": reason}, status_code=status)

    async def receive(request: Request) -> Response:
        if request.method == "HEAD":
            return Response(status_code=200)
        try:
            async with asyncio.timeout(body_timeout):
                body = await _read_body(request, max_body)
        except TimeoutError:
            return refuse(request, 408, f"the body did not arrive within {body_timeout:g} s")
        except _TooLarge:
            return refuse(request, 413, f"the body is larger than {max_body} bytes")
        except ClientDisconnect:
            return Response(status_code=400)
        try:
            verify(body, secret, request.headers.get(SIGNATURE_HEADER))
        except SignatureRejected as rejected:
            return refuse(request, 401, str(rejected))
        try:
            notification = parse_notification(body)
        except MalformedNotification as malformed:
            return refuse(request, 400, str(malformed))
        topic, notification_id = notification["topic"], notification["id"]
        shown = f"{escaped(notification_id)} ({escaped(topic)})"  # a log line stays one line
        workflows = [] if topic == PING_TOPIC else routes.workflows_for(topic)
        if not workflows:
            log.info("notification %s: no hosted workflow wants it", shown)
            return JSONResponse({"status": "ignored", "id": notification_id})
        added = await commits.record(notification, body.decode("utf-8"), list(workflows))
        if not added:
            log.info("notification %s: a duplicate, not run again", shown)
            return JSONResponse({"status": "duplicate", "id": notification_id})
        log.info("notification %s: queued for %s", shown, ", ".join(added))
        on_queued()
        return JSONResponse({"status": "queued", "id": notification_id, "workflows": added})

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "workflows": sorted(routes.patterns)})

    return Starlette(
        routes=[
            Route(WEBHOOK_PATH, receive, methods=["POST", "HEAD"]),
            Route("/healthz", health, methods=["GET"]),
        ]
    )
