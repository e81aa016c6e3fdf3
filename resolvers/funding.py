"""Top-up and withdrawal mutations and the withdrawal quote."""

from __future__ import annotations

from app.errors import DomainError
from app.funding.quotes import WithdrawalQuote, withdrawal_quote
from app.funding.topup import TopUpRequest
from app.funding.topup import top_up as top_up_service
from app.funding.withdrawal import WithdrawalRequest
from app.funding.withdrawal import withdraw as withdraw_service
from app.ledger.kernel import MoneyResult

from .context import RequestContext


async def top_up(ctx: RequestContext, request: TopUpRequest) -> MoneyResult:
    return await top_up_service(await ctx.require_viewer(), request)


async def withdraw(ctx: RequestContext, request: WithdrawalRequest) -> MoneyResult:
    return await withdraw_service(await ctx.require_viewer(), request, ip=ctx.client_ip)


def quote(amount: int, channel: str) -> WithdrawalQuote:
    """The quote of ``withdrawalQuote(amount, channel)``. Its arguments are top-level query
    arguments, not fields of an ``input``: an error names ``["amount"]`` / ``["channel"]``."""
    try:
        return withdrawal_quote(amount, channel)
    except DomainError as error:
        if error.field and error.field[0] == "input":
            error.field = error.field[1:]
        raise
