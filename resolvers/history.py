"""Statement queries: the viewer's wallet (``transactions``) and ``Account.transactions``."""

from __future__ import annotations

from typing import Any

from app import clock
from app.history import statement, statement_rows
from app.history.access import may_read_statement
from app.ledger.accounts import wallet_of
from models import Account

from .context import RequestContext
from .merged_pagination import check_size, paginate_merged
from .pagination import DEFAULT_PAGE, Page, decode_cursor


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


async def my_statement_rows(
    ctx: RequestContext,
    given: Any,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    used: frozenset[str] | None = None,
) -> tuple[int, statement_rows.RowPage] | None:
    """``account_statement`` of ``my_wallet`` as plain rows (``app.history.statement_rows``, one
    statement for the page): (the wallet's account id, the page), with the same rows, count, flags
    and errors. None for a filter that page reader does not serve (the counterparty text): then
    take ``account_statement``. The viewer owns the wallet, so ``may_read_statement`` holds.
    ``used``: see ``read_page``."""
    wanted = statement.validate(to_filter(given))
    if not statement_rows.supported(wanted):
        return None
    check_size(first, "first")
    check_size(last, "last")
    after_id = decode_cursor(after, "after") if after is not None else None
    before_id = decode_cursor(before, "before") if before is not None else None
    backward = last is not None and first is None
    size = (last or 0) if backward else (DEFAULT_PAGE if first is None else first)
    account_id = (await my_wallet(ctx)).id
    request = statement_rows.PageRequest(size, after_id, before_id, backward)
    page = await statement_rows.read_page(account_id, wanted, clock.now(), request, used)
    if not backward and last is not None:
        rows = page.rows[-last:] if last else []
        page = statement_rows.RowPage(rows, page.total, page.has_next, page.has_previous)
    return account_id, page


async def my_wallet(ctx: RequestContext) -> Account:
    viewer = await ctx.require_viewer()
    return await wallet_of(viewer.id)
