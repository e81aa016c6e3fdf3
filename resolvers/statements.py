"""Statement operations: GraphQL arguments to app.statements calls (no rules live here)."""

from __future__ import annotations

from app.statements import csv_export, monthly, pdf_export

from .context import RequestContext


async def monthly_statement(ctx: RequestContext, month: str) -> monthly.MonthlyStatement:
    return await monthly.monthly_statement(await ctx.require_viewer(), month)


async def export_link(ctx: RequestContext, start: str, end: str) -> csv_export.ExportLink:
    return csv_export.export_link((await ctx.require_viewer()).id, start, end)


async def pdf_link(ctx: RequestContext, start: str, end: str) -> csv_export.ExportLink:
    return await pdf_export.export_link((await ctx.require_viewer()).id, start, end)
