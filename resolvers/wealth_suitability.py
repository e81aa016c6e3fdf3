"""Suitability resolvers: the questionnaire and submitting answers."""

from __future__ import annotations

from app.wealth import suitability

from .context import RequestContext


def questionnaire() -> tuple[suitability.Question, ...]:
    return suitability.QUESTIONNAIRE


async def submit(ctx: RequestContext, answers: list[tuple[str, str]]) -> str:
    user = await ctx.require_viewer()
    tolerance = await suitability.submit_assessment(user, answers, ip=ctx.client_ip)
    ctx.forget_viewer()  # the viewer's tolerance just changed
    return tolerance
