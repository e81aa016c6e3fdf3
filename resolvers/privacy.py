"""Personal-data operations: GraphQL input to app.privacy calls (no rules live here)."""

from __future__ import annotations

from app.privacy import closure, export

from .context import RequestContext


async def export_my_data(ctx: RequestContext, password: str) -> export.ExportLink:
    return await export.request_export(await ctx.require_viewer(), password, ctx.client_ip)


async def close_account(ctx: RequestContext, password: str, code: str | None) -> None:
    await closure.close_account(await ctx.require_viewer(), password, code, ctx.client_ip)
    ctx.forget_viewer()


async def obligations(ctx: RequestContext) -> list[closure.Obligation]:
    return await closure.obligations((await ctx.require_viewer()).id)
