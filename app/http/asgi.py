"""Starlette application: GraphQL over HTTP and websockets, health, sandbox and webhooks."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

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
        try:
            yield
        finally:
            if manage_runtime:
                await runtime.stop()

    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(RequestTelemetry), Middleware(BodySizeLimit)])
    return tracing.wrap_asgi(app)  # type: ignore[no-any-return]  # the app itself when tracing is off


def app_factory() -> Starlette:
    """Entry point for ``uvicorn --factory`` (each worker process builds its own app)."""
    return create_app()
