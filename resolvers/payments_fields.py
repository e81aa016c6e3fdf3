"""Field resolvers of the Merchant type."""

from __future__ import annotations

from typing import Any

from models import Account, Merchant


async def settlement_account(ctx: Any, merchant: Merchant) -> Account | None:
    """Only the owner and staff see a merchant's settlement account."""
    viewer = await ctx.viewer()
    if viewer is None:
        return None
    if viewer.id != merchant.owner_id and not await ctx.is_staff():
        return None
    return await Account.get(id=merchant.account_id)
