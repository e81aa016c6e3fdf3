"""Wealth suggestion resolvers."""

from __future__ import annotations

from app.suggestions.service import Suggestions, set_enabled, suggestions_for

from .context import RequestContext


async def suggestions(ctx: RequestContext) -> Suggestions:
    return await suggestions_for(await ctx.require_viewer())


async def turn(ctx: RequestContext, enabled: bool) -> Suggestions:
    viewer = await ctx.require_viewer()
    await set_enabled(viewer, enabled)
    return await suggestions_for(viewer)
