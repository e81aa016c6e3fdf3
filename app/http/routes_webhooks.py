"""Provider webhooks, and in sandbox mode the pages and buttons of the sandbox provider."""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..channels import sandbox_provider, webhooks
from ..money import format_fen
from ..settings import Settings


async def _read_body(request: Request) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > webhooks.MAX_BODY_BYTES:
        return None
    return await request.body()


def _webhook_endpoint(source: str):  # noqa: ANN202
    async def endpoint(request: Request) -> Response:
        body = await _read_body(request)
        if body is None:
            return JSONResponse({"error": "body too large"}, status_code=413)
        result = await webhooks.receive(source, body, request.headers)
        return JSONResponse(result.body, status_code=result.status_code)

    return endpoint


async def checkout_page(request: Request) -> Response:
    reference = request.path_params["reference"]
    tx = await sandbox_provider.checkout_summary(reference)
    if tx is None:
        return HTMLResponse("<h1>未找到该收银台</h1>", status_code=404)
    ref = html.escape(reference)
    page = f"""<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>沙箱收银台</title>
<h1>沙箱第三方支付</h1><p>订单 {ref}，金额 {format_fen(tx.amount)} 元，状态 {html.escape(tx.status)}</p>
<form method="post" action="/sandbox/checkout/{ref}/complete"><button>模拟支付成功</button></form>
<form method="post" action="/sandbox/checkout/{ref}/fail"><button>模拟支付失败</button></form></html>"""
    return HTMLResponse(page)


def _finish(succeeded: bool):  # noqa: ANN202
    async def endpoint(request: Request) -> Response:
        result = await sandbox_provider.finish_checkout(request.path_params["reference"], succeeded)
        return JSONResponse(result.body, status_code=result.status_code)

    return endpoint


async def deposit_arrived(request: Request) -> Response:
    result = await sandbox_provider.deposit_arrived(request.path_params["reference"])
    return JSONResponse(result.body, status_code=result.status_code)


def routes(settings: Settings) -> list[BaseRoute]:
    collected: list[BaseRoute] = [
        Route("/webhooks/third-party", _webhook_endpoint(webhooks.THIRD_PARTY), methods=["POST"]),
        Route("/webhooks/offline-deposits", _webhook_endpoint(webhooks.OFFLINE_DEPOSIT), methods=["POST"]),
    ]
    if settings.sandbox:
        collected += [
            Route("/sandbox/checkout/{reference}", checkout_page, methods=["GET"]),
            Route("/sandbox/checkout/{reference}/complete", _finish(True), methods=["POST"]),
            Route("/sandbox/checkout/{reference}/fail", _finish(False), methods=["POST"]),
            Route("/sandbox/deposits/{reference}/arrive", deposit_arrived, methods=["POST"]),
        ]
    return collected
