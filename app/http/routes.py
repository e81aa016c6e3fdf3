"""Plain HTTP endpoints: health and the sandbox outbox."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from .. import db, notifier, runtime


async def health(request: Request) -> JSONResponse:
    rt = runtime.get()
    try:
        await db.ping()
        database = "ok"
    except Exception:
        database = "unreachable"
    broker = "ok" if await rt.broker.healthy() else "unreachable"
    body = {
        "status": "ok" if database == "ok" else "degraded",
        "mode": rt.settings.mode,
        "database": {"backend": db.dialect(), "state": database},
        "broker": {"backend": rt.broker.name, "state": broker},
    }
    return JSONResponse(body, status_code=200 if database == "ok" else 503)


async def sandbox_messages(request: Request) -> JSONResponse:
    recipient = request.query_params.get("recipient", "").strip()
    if not recipient:
        return JSONResponse({"error": "recipient is required"}, status_code=400)
    return JSONResponse(await notifier.sandbox_messages(recipient))
