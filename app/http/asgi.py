"""Starlette application: GraphQL over HTTP and websockets, health, sandbox and webhooks."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import runtime
from ..ops import tracing
from ..settings import Settings, load_settings
from . import extra_routes
from .body_limit import BodySizeLimit
from .graphql_app import GRAPHIQL_ASSETS_PATH, GRAPHIQL_DIR, FenpayGraphQL
from .request_telemetry import RequestTelemetry
from .routes import health, sandbox_messages

WEB_DIR = Path(__file__).resolve().parents[2] / "web"


def create_app(settings: Settings | None = None, *, manage_runtime: bool = True) -> Starlette:
    """Build the ASGI app. ``manage_runtime=False`` when the caller (tests) already started it."""
    from schema.root import build_schema

    settings = settings or load_settings()
    tracing.configure(settings.otel_endpoint, settings.otel_service_name)
    schema = build_schema(
        introspection=settings.introspection,
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_tokens,
        max_cost=settings.max_query_cost,
        persisted_queries=settings.persisted_queries,
    )
    graphql = FenpayGraphQL(
        schema,
        graphql_ide="graphiql" if settings.graphiql else None,
        allow_queries_via_get=False,
        multipart_uploads_enabled=True,
        allowed_origins=settings.allowed_origins or (),
        keep_alive=True,
        keep_alive_interval=15,
        connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
    )
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/health", health, methods=["GET"]),
        *extra_routes.routes(settings),
    ]
    if settings.graphiql:
        routes.append(Mount(GRAPHIQL_ASSETS_PATH, StaticFiles(directory=GRAPHIQL_DIR), name="graphiql-assets"))
    if settings.sandbox:
        routes.append(Route("/sandbox/messages", sandbox_messages, methods=["GET"]))
    if WEB_DIR.is_dir():
        routes.append(Mount("/", StaticFiles(directory=WEB_DIR, html=True), name="web"))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_runtime:
            await runtime.start(settings)
            # Everything built so far (modules, the schema, settings, pools) lives as long as the
            # worker: out of the collector's sight, a full collection walks only what requests
            # and open sockets hold (bench.subscriber_probe --gc; README "Performance").
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            if manage_runtime:
                await runtime.stop()

    app = FenpayStarlette(
        routes=routes, lifespan=lifespan, middleware=[Middleware(RequestTelemetry), Middleware(BodySizeLimit)]
    )
    app.graphql_sockets = RequestTelemetry(graphql)
    return tracing.wrap_asgi(app)  # type: ignore[no-any-return]  # the app itself when tracing is off


class FenpayStarlette(Starlette):
    """Starlette, with a websocket to ``/graphql`` handed straight to the GraphQL app (with its
    request id and metrics, ``RequestTelemetry``).

    A socket's ASGI call lasts as long as the connection, and every layer it passes keeps a
    suspended coroutine frame for that long: Starlette's error and exception middleware, the
    body-size limit (HTTP only), the router and the route, ~3 KiB per idle subscriber, none of
    which does anything for this socket (origins and the protocol are the GraphQL app's). The
    path matches the one ``WebSocketRoute("/graphql", ...)`` exactly; any other websocket and
    all HTTP go through the middleware and the router as before."""

    graphql_sockets: ASGIApp | None = None
    graphql_path = "/graphql"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.graphql_sockets is not None and scope["type"] == "websocket" and scope["path"] == self.graphql_path:
            scope["app"] = self
            await self.graphql_sockets(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def app_factory() -> Starlette:
    """Entry point for ``uvicorn --factory`` (each worker process builds its own app)."""
    return create_app()
