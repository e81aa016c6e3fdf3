"""Personal-data operations: GraphQL input to app.privacy calls (no rules live here)."""

from __future__ import annotations

from app.privacy import export

from .context import RequestContext


async def export_my_data(ctx: RequestContext, password: str) -> export.ExportLink:
    return await export.request_export(await ctx.require_viewer(), password, ctx.client_ip)
