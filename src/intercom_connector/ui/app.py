"""The debug panel's web app: pages, the JSON they load, live updates, and actions.

Pages are server-rendered shells (jinja2); the data inside them (a run's tree, a step's
values, the timeline) comes from the JSON endpoints under ``/api`` a piece at a time, so no
page ever carries a whole run. Live updates are server-sent events: the server polls the
run log (cheap, indexed reads) and sends the runs list or a run's summary when it changed.
Everything sits behind ``AccessGuard`` (token cookie, CSRF token on POSTs, Host check).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from intercom_connector.catalog.registry import Catalog, UnknownOperation, load_catalog
from intercom_connector.errors import ConnectorError
from intercom_connector.ui import operations, values
from intercom_connector.ui.actions import Connect, RunActions
from intercom_connector.ui.reader import RunReader, run_row
from intercom_connector.ui.security import AccessGuard, AccessToken
from intercom_connector.workflow.runlog import RunNotFound

STATIC = Path(__file__).with_name("static")
POLL_SECONDS = 0.5
STREAM_SECONDS = 300.0
"""An event stream ends after this long; the browser's EventSource reconnects by itself."""


@dataclass
class PanelSettings:
    connect: Connect
    runlog_path: Path | None = None
    access: AccessToken = field(default_factory=AccessToken)
    hosts: frozenset[str] = frozenset()
    auth_names: Any = None
    """A function listing stored authentication names for try-it (none when not given)."""


class Panel:
    def __init__(self, settings: PanelSettings) -> None:
        self.settings = settings
        self.reader = RunReader(settings.runlog_path)
        self.actions = RunActions(settings.connect, settings.runlog_path)
        self._catalog: Catalog | None = None
        self.templates = Environment(
            loader=PackageLoader("intercom_connector.ui", "templates"),
            autoescape=select_autoescape(["html"]),
        )

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = load_catalog()
        return self._catalog

    def page(self, name: str, request: Request, **context: Any) -> HTMLResponse:
        html = self.templates.get_template(name).render(
            csrf=self.settings.access.csrf, path=request.url.path, **context
        )
        return HTMLResponse(html)

    # --- pages -------------------------------------------------------------------------
    def runs_page(self, request: Request) -> Response:
        return self.page(
            "runs.html",
            request,
            status=request.query_params.get("status", ""),
            workflow=request.query_params.get("workflow", ""),
        )

    def run_page(self, request: Request) -> Response:
        summary = self.reader.summary(request.path_params["run_id"])
        return self.page("run.html", request, run=run_row(summary))

    def triggers_page(self, request: Request) -> Response:
        return self.page(
            "triggers.html",
            request,
            deliveries=self.reader.deliveries(),
            counts=self.reader.delivery_counts(),
        )

    def operations_page(self, request: Request) -> Response:
        text = request.query_params.get("q", "")
        tag = request.query_params.get("tag", "")
        rows = operations.operation_rows(self.catalog, text, tag)
        return self.page(
            "operations.html", request, rows=rows, q=text, tag=tag, tags=self.catalog.tags
        )

    def operation_page(self, request: Request) -> Response:
        operation = self.catalog.get(request.path_params["name"])
        names = self.settings.auth_names() if self.settings.auth_names else []
        return self.page(
            "operation.html",
            request,
            op=operation,
            fields=operations.form_fields(operation),
            targets=["sandbox", *names],
            example_yaml=operations.call_step_yaml(operation, {}),
        )

    # --- data --------------------------------------------------------------------------
    def runs_data(self, request: Request) -> Response:
        return JSONResponse(self._runs(request))

    def _runs(self, request: Request) -> list[dict[str, Any]]:
        params = request.query_params
        return self.reader.runs(
            status=params.get("status") or None, workflow=params.get("workflow") or None
        )

    def _run_state(self, run_id: str) -> dict[str, Any]:
        summary = self.reader.summary(run_id)
        return {
            "run": run_row(summary),
            "here": self.actions.running_here(summary.run_id),
            "action_error": self.actions.errors.get(summary.run_id),
        }

    def run_data(self, request: Request) -> Response:
        index = self.reader.index(request.path_params["run_id"])
        state = self._run_state(index.summary.run_id)
        return JSONResponse({**state, "tree": index.block("")})

    def block_data(self, request: Request) -> Response:
        index = self.reader.index(request.path_params["run_id"])
        return JSONResponse({"nodes": index.block(request.query_params.get("prefix", ""))})

    def iterations_data(self, request: Request) -> Response:
        params = request.query_params
        index = self.reader.index(request.path_params["run_id"])
        page = index.iteration_page(
            params.get("loop", ""),
            int(params.get("offset", 0)),
            int(params.get("limit", 50)),
            failed=params.get("failed") == "1",
        )
        return JSONResponse(page)

    def execution_data(self, request: Request) -> Response:
        index = self.reader.index(request.path_params["run_id"])
        return JSONResponse(index.execution(request.query_params.get("key", "")))

    def _value(self, request: Request) -> tuple[Any, str | None]:
        params = request.query_params
        index = self.reader.index(request.path_params["run_id"])
        key, side = params.get("key", ""), params.get("side", "output")
        execution = index.execution(key)
        return index.value(key, side), execution[f"{side}_base"]

    def value_data(self, request: Request) -> Response:
        value, base = self._value(request)
        params = request.query_params
        segments = json.loads(params.get("path") or "[]")
        page = values.children(
            value, base, segments, int(params.get("offset", 0)), int(params.get("limit", 100))
        )
        return JSONResponse(page)

    def search_data(self, request: Request) -> Response:
        value, base = self._value(request)
        return JSONResponse(values.search(value, base, request.query_params.get("q", "")))

    def timeline_data(self, request: Request) -> Response:
        return JSONResponse(self.reader.index(request.path_params["run_id"]).timeline())

    # --- live updates ------------------------------------------------------------------
    async def runs_stream(self, request: Request) -> Response:
        return _event_stream(request, lambda: self._runs(request), "runs")

    async def run_stream(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]
        return _event_stream(request, lambda: self._run_state(run_id), "run")

    # --- actions -----------------------------------------------------------------------
    async def act(self, request: Request) -> Response:
        run_id, action = request.path_params["run_id"], request.path_params["action"]
        handler = {
            "resume": self.actions.resume,
            "cancel": self.actions.cancel,
            "rerun": self.actions.rerun,
        }.get(action)
        if handler is None:
            return JSONResponse({"error": f"no action {action!r}"}, status_code=404)
        return JSONResponse({"run_id": handler(run_id), "action": action})

    async def try_it(self, request: Request) -> Response:
        operation = self.catalog.get(request.path_params["name"])
        body = await request.json()
        data = body.get("input") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            return JSONResponse({"error": "send {input: {...}, target: ...}"}, status_code=400)
        target = str(body.get("target") or "sandbox")
        answer = await operations.try_operation(self.settings.connect, operation, data, target)
        return JSONResponse(answer)

    async def shutdown(self) -> None:
        await self.actions.shutdown()


def _event_stream(request: Request, read: Any, name: str) -> StreamingResponse:
    async def events() -> AsyncIterator[str]:
        last = None
        waited = 0.0
        while waited < STREAM_SECONDS and not await request.is_disconnected():
            current = json.dumps(await anyio.to_thread.run_sync(read), default=str)
            if current != last:
                last = current
                yield f"event: {name}\ndata: {current}\n\n"
            await asyncio.sleep(POLL_SECONDS)
            waited += POLL_SECONDS

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )


def _not_found(request: Request, error: Exception) -> Response:
    message = error.args[0] if error.args else str(error)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": str(message)}, status_code=404)
    return HTMLResponse(f"<h1>Not found</h1><p>{_escape(str(message))}</p>", status_code=404)


def _refused(request: Request, error: Exception) -> Response:
    return JSONResponse({"error": str(error)}, status_code=409)


def _bad_request(request: Request, error: Exception) -> Response:
    return JSONResponse({"error": f"bad request: {error}"}, status_code=400)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def create_app(settings: PanelSettings) -> Starlette:
    """The panel as an ASGI app (serve it with uvicorn on 127.0.0.1)."""
    panel = Panel(settings)
    run = "/api/runs/{run_id}"

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await panel.shutdown()

    routes = [
        Route("/", panel.runs_page),
        Route("/runs/{run_id}", panel.run_page),
        Route("/triggers", panel.triggers_page),
        Route("/operations", panel.operations_page),
        Route("/operations/{name}", panel.operation_page),
        Route("/api/runs", panel.runs_data),
        Route("/api/runs-stream", panel.runs_stream),
        Route(run, panel.run_data),
        Route(run + "/stream", panel.run_stream),
        Route(run + "/block", panel.block_data),
        Route(run + "/iterations", panel.iterations_data),
        Route(run + "/execution", panel.execution_data),
        Route(run + "/value", panel.value_data),
        Route(run + "/search", panel.search_data),
        Route(run + "/timeline", panel.timeline_data),
        Route(run + "/{action}", panel.act, methods=["POST"]),
        Route("/api/operations/{name}/try", panel.try_it, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(AccessGuard, access=settings.access, hosts=settings.hosts)],
        exception_handlers={
            RunNotFound: _not_found,
            UnknownOperation: _not_found,
            KeyError: _not_found,
            values.BadPointer: _not_found,
            ConnectorError: _refused,
            ValueError: _bad_request,
        },
        lifespan=lifespan,
    )
    app.state.panel = panel
    return app
