"""Wealth suggestion resolvers."""

from __future__ import annotations

from typing import Any

from app.suggestions.service import Suggestions, set_enabled, suggestions_for


async def suggestions(ctx: Any) -> Suggestions:
    return await suggestions_for(await ctx.require_viewer())


async def turn(ctx: Any, enabled: bool) -> Suggestions:
    viewer = await ctx.require_viewer()
    await set_enabled(viewer, enabled)
    return await suggestions_for(viewer)
