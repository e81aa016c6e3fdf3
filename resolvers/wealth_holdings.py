"""Holding resolvers: the viewer's holdings, purchase and redemption."""

from __future__ import annotations

from app.ledger.kernel import MoneyResult
from app.wealth import holdings as holding_service
from app.wealth.purchase import PurchaseRequest, purchase
from app.wealth.redemption import RedemptionRequest, redeem
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


HoldingMoved = tuple[Holding, MoneyResult]
"""The holding as it is after the movement, and the movement's result."""


async def _with_holding(result: MoneyResult) -> HoldingMoved:
    """A wealth transaction names its holding in ``reference_id``."""
    return await Holding.get(id=result.transaction.reference_id), result


async def buy(ctx: RequestContext, request: PurchaseRequest) -> HoldingMoved:
    return await _with_holding(await purchase(await ctx.require_viewer(), request, ip=ctx.client_ip))


async def sell(ctx: RequestContext, request: RedemptionRequest) -> HoldingMoved:
    return await _with_holding(await redeem(await ctx.require_viewer(), request, ip=ctx.client_ip))
