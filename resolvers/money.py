"""Field resolvers shared by the money types (balances, refundable amounts, refunds)."""

from __future__ import annotations

from app.ledger.accounts import Balance, balance_of
from app.refunds.queries import refunds_for_transaction
from app.refunds.requests import refundable_amount as _refundable_amount
from models import Account, Refund, Transaction, User

from .context import RequestContext


def refundable_amount(tx: Transaction, perspective_account_id: int) -> int:
    """What the payer may still ask back (app.refunds.requests.refundable_amount)."""
    return _refundable_amount(tx, perspective_account_id)


async def balance(account: Account) -> Balance:
    return await balance_of(account)


async def account_status(account: Account) -> str:
    if account.user_id is None:
        return "NORMAL"
    user = await User.get(id=account.user_id)
    return user.status


async def refunds_of(ctx: RequestContext, tx: Transaction) -> list[Refund]:
    """Refunds of a transaction: the payer's own view, or staff."""
    viewer = await ctx.viewer()
    if viewer is None:
        return []
    rows = await refunds_for_transaction(tx.id)
    if await ctx.is_staff():
        return rows
    return [r for r in rows if r.user_id == viewer.id]
