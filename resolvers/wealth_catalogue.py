"""Catalogue resolvers: list with filters and Relay pages, one product, admin changes."""

from __future__ import annotations

from app.wealth import catalogue
from models.wealth import WealthProduct

from .context import RequestContext
from .pagination import Page, paginate


async def products(
    flt: catalogue.ProductFilter | None, *, first: int | None, after: str | None
) -> Page[WealthProduct]:
    # Oldest first: a catalogue reads in the order products were launched.
    return await paginate(catalogue.product_query(flt), first=first, after=after, ascending=True)


async def product(product_id: int | None) -> WealthProduct | None:
    return await catalogue.get_product(product_id)


async def create_product(ctx: RequestContext, new: catalogue.NewProduct) -> WealthProduct:
    return await catalogue.create_product(new, actor_id=ctx.viewer_id, ip=ctx.client_ip)


async def set_product_status(ctx: RequestContext, product_id: int | None, status: str) -> WealthProduct:
    return await catalogue.set_status(product_id, status, actor_id=ctx.viewer_id, ip=ctx.client_ip)
