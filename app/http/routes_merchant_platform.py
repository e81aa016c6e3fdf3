"""Merchant statement downloads: ``GET /merchant-statements/{merchantNo}/{date}.csv?expires=&signature=``.

The link itself is the credential (signed, short-lived; see app.merchant_platform.statements),
so spreadsheet programs and browsers can open it without a token.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from ..merchant_platform import statements
from ..settings import Settings


async def statement_csv(request: Request) -> Response:
    merchant_no = request.path_params["merchant_no"]
    day = request.path_params["day"]
    status, body = await statements.csv_download(
        merchant_no, day, request.query_params.get("expires", ""), request.query_params.get("signature", "")
    )
    if status != 200:
        return PlainTextResponse(body, status_code=status)
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="statement-{merchant_no}-{day}.csv"',
            "Cache-Control": "private, no-store",
        },
    )


def routes(settings: Settings) -> list[BaseRoute]:
    return [Route("/merchant-statements/{merchant_no}/{day}.csv", statement_csv, methods=["GET"])]
