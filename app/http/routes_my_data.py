"""Signed downloads of the user's own data: statement CSVs and PDFs (and the personal-data archive)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import DomainError
from ..privacy import export
from ..settings import Settings
from ..statements import csv_export, pdf_export


def _download(found: tuple[bytes, str] | None, media_type: str) -> Response:
    """The file behind a signed link as an attachment (never cached), or 403 for a link that is
    forged, expired or belongs to a closed account."""
    if found is None:
        return JSONResponse({"error": "LINK_INVALID_OR_EXPIRED"}, status_code=403)
    body, name = found
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


async def statement_csv(request: Request) -> Response:
    found = await csv_export.csv_for_token(request.query_params.get("token"))
    return _download(found, "text/csv; charset=utf-8")


async def statement_pdf(request: Request) -> Response:
    try:
        found = await pdf_export.pdf_for_token(request.query_params.get("token"))
    except DomainError as error:  # PDF_UNAVAILABLE: the server lost its font since the link was made
        return JSONResponse({"error": error.code.value, "message": error.message}, status_code=503)
    return _download(found, "application/pdf")


async def my_data(request: Request) -> Response:
    found = await export.archive_for_token(
        request.query_params.get("token"), request.client.host if request.client else None
    )
    return _download(found, "application/json; charset=utf-8")


def routes(settings: Settings) -> list[BaseRoute]:
    return [
        Route(csv_export.PATH, statement_csv, methods=["GET"]),
        Route(pdf_export.PATH, statement_pdf, methods=["GET"]),
        Route(export.PATH, my_data, methods=["GET"]),
    ]
