"""Field resolvers shared by the money types (balances, refundable amounts, refunds)."""

from __future__ import annotations

from app.ledger.accounts import WALLET, Balance, balance_of
from app.refunds.queries import refunds_for_transaction
from app.refunds.requests import refundable_amount as _refundable_amount
from models import Account, Refund, Transaction

from . import loaders
from .context import RequestContext


def refundable_amount(tx: Transaction, perspective_account_id: int) -> int:
    """What the payer may still ask back (app.refunds.requests.refundable_amount)."""
    return _refundable_amount(tx, perspective_account_id)


async def balance(account: Account) -> Balance:
    """A wallet's running balance as this operation read it (the accounts loader: one query for
    all the wallets of a page, none when the wallet itself was loaded by it); any other
    account's is the sum of its postings (``app.ledger.accounts.balance_of``)."""
    if account.kind != WALLET:
        return await balance_of(account)
    fresh = await loaders.must(loaders.current().accounts, account.id)
    return Balance(fresh.available, fresh.held)


async def account_status(account: Account) -> str:
    """The owner's status for a user's account (users loader), NORMAL for the others."""
    if account.user_id is None:
        return "NORMAL"
    return (await loaders.must(loaders.current().users, account.user_id)).status


async def refunds_of(ctx: RequestContext, tx: Transaction) -> list[Refund]:
    """Refunds of a transaction: the payer's own view, or staff."""
    viewer = await ctx.viewer()
    if viewer is None:
        return []
    rows = await refunds_for_transaction(tx.id)
    if await ctx.is_staff():
        return rows
    return [r for r in rows if r.user_id == viewer.id]
