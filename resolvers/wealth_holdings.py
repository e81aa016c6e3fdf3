"""Holding resolvers: the viewer's holdings, purchase and redemption."""

from __future__ import annotations

from app.wealth import holdings as holding_service
from app.wealth.purchase import PurchaseRequest, purchase
from app.wealth.redemption import RedemptionRequest, redeem
from app.wealth.replay import HoldingResult
from models.wealth import Holding, WealthProduct

from .context import RequestContext


async def my_holdings(ctx: RequestContext, *, include_redeemed: bool) -> list[Holding]:
    user = await ctx.require_viewer()
    return await holding_service.holdings_of(user.id, include_redeemed=include_redeemed)


async def holding(ctx: RequestContext, holding_id: int) -> Holding | None:
    """Owner only: anyone else gets None."""
    return await holding_service.holding_of(ctx.viewer_id, holding_id)


async def product(holding: Holding) -> WealthProduct:
    return await holding_service.product_of(holding)


def redeemable(holding: Holding) -> int:
    return holding_service.redeemable(holding)


async def buy(ctx: RequestContext, request: PurchaseRequest) -> HoldingResult:
    return await purchase(await ctx.require_viewer(), request, ip=ctx.client_ip)


async def sell(ctx: RequestContext, request: RedemptionRequest) -> HoldingResult:
    return await redeem(await ctx.require_viewer(), request, ip=ctx.client_ip)
