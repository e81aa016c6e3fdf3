"""Top-up and withdrawal mutations and the withdrawal quote."""

from __future__ import annotations

from app.errors import DomainError
from app.funding.quotes import WithdrawalQuote, withdrawal_quote
from app.funding.topup import top_up as top_up_service
from app.funding.withdrawal import withdraw as withdraw_service
from app.ledger.kernel import MoneyResult

from .context import RequestContext


async def top_up(
    ctx: RequestContext, *, amount: int, channel: str, bank_card_id: int | None, idempotency_key: str
) -> MoneyResult:
    user = await ctx.require_viewer()
    return await top_up_service(
        user, amount=amount, channel=channel, bank_card_id=bank_card_id, idempotency_key=idempotency_key
    )


async def withdraw(
    ctx: RequestContext,
    *,
    amount: int,
    channel: str,
    bank_card_id: int | None,
    payment_password: str,
    idempotency_key: str,
) -> MoneyResult:
    user = await ctx.require_viewer()
    return await withdraw_service(
        user,
        amount=amount,
        channel=channel,
        bank_card_id=bank_card_id,
        payment_password=payment_password,
        idempotency_key=idempotency_key,
        ip=ctx.client_ip,
    )


def quote(amount: int, channel: str) -> WithdrawalQuote:
    """The quote of ``withdrawalQuote(amount, channel)``. Its arguments are top-level query
    arguments, not fields of an ``input``: an error names ``["amount"]`` / ``["channel"]``."""
    try:
        return withdrawal_quote(amount, channel)
    except DomainError as error:
        if error.field and error.field[0] == "input":
            error.field = error.field[1:]
        raise
