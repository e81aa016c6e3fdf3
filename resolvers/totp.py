"""Dynamic token operations: GraphQL input to app.identity.totp calls (no rules live here)."""

from __future__ import annotations

from app.identity import totp
from app.identity.totp import Enrollment

from .context import RequestContext


async def begin(ctx: RequestContext, password: str) -> Enrollment:
    return await totp.begin_enrollment(await ctx.require_viewer(), password, ctx.client_ip)


async def confirm(ctx: RequestContext, code: str) -> list[str]:
    return await totp.confirm_enrollment(await ctx.require_viewer(), code, ctx.client_ip)


async def disable(ctx: RequestContext, password: str, code: str) -> None:
    await totp.disable(await ctx.require_viewer(), password, code, ctx.client_ip)
