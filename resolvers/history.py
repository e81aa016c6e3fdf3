"""Statement queries: the viewer's wallet (``transactions``) and ``Account.transactions``."""

from __future__ import annotations

from typing import Any

from app import clock
from app.history import statement
from app.history.access import may_read_statement
from app.ledger.accounts import wallet_of
from models import Account

from .context import RequestContext
from .merged_pagination import paginate_merged
from .pagination import Page


def to_filter(given: Any) -> statement.StatementFilter:
    """The GraphQL ``TransactionFilter`` (or None) as the service's filter."""
    if given is None:
        return statement.StatementFilter()
    return statement.StatementFilter(
        from_=given.from_,
        to=given.to,
        types=tuple(t.value for t in given.types or ()),
        statuses=tuple(s.value for s in given.statuses or ()),
        min_amount=given.min_amount,
        max_amount=given.max_amount,
        transaction_no=given.transaction_no,
        counterparty=given.counterparty,
    )


async def account_statement(
    ctx: RequestContext,
    account: Account,
    given: Any,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Page[Any]:
    """The account's rows for its owner (or the merchant's owner, or staff); empty for anyone else."""
    wanted = statement.validate(to_filter(given))
    sources = []
    if await may_read_statement(await ctx.viewer(), account):
        sources = statement.sides(account.id, wanted, clock.now())
    return await paginate_merged(sources, first=first, after=after, last=last, before=before)


async def my_wallet(ctx: RequestContext) -> Account:
    viewer = await ctx.require_viewer()
    return await wallet_of(viewer.id)
