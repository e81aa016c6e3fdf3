"""Operator endpoints: liveness, readiness and Prometheus metrics.

- ``GET /health/live``: 200 while the process serves requests (restart it otherwise).
- ``GET /health/ready``: 200 when the database and the broker answer, 503 otherwise (take the
  instance out of the load balancer). ``GET /health`` keeps its detailed body.
- ``GET /metrics``: Prometheus text format. With ``FENPAY_METRICS_TOKEN`` set it needs
  ``Authorization: Bearer <token>``; production serves it only when the token is set, and
  nothing serves it with ``FENPAY_METRICS=off``.
"""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from .. import db, runtime
from ..settings import Settings


async def live(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> JSONResponse:
    rt = runtime.get()
    try:
        await db.ping()
        database = True
    except Exception:
        database = False
    broker = await rt.broker.healthy()
    body = {"database": "ok" if database else "unreachable", "broker": "ok" if broker else "unreachable"}
    ok = database and broker
    return JSONResponse({"status": "ready" if ok else "not ready", **body}, status_code=200 if ok else 503)


def _authorized(request: Request, token: str | None) -> bool:
    if token is None:
        return True
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


async def metrics(request: Request) -> Response:
    from ..ops import metrics as fenpay_metrics

    settings = runtime.settings()
    if not _authorized(request, settings.metrics_token):
        return PlainTextResponse("unauthorized\n", status_code=401, headers={"WWW-Authenticate": "Bearer"})
    await fenpay_metrics.refresh_database_gauges()
    body, content_type = fenpay_metrics.exposition()
    return Response(body, media_type=content_type)


def routes(settings: Settings) -> list[BaseRoute]:
    found: list[BaseRoute] = [
        Route("/health/live", live, methods=["GET"]),
        Route("/health/ready", ready, methods=["GET"]),
    ]
    if settings.metrics and (settings.sandbox or settings.metrics_token):
        found.append(Route("/metrics", metrics, methods=["GET"]))
    return found
