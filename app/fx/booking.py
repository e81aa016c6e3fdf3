"""The ledger side of a cross-border payment: its journal, the claim of its quote, its
refunds at the original rate and the annual per-person figure.

A payment of ``N`` fen to a merchant paid ``M`` minor units of currency ``X`` is ONE
journal balanced in each currency::

    payer wallet (CNY)      -N
    FX_POSITION_CNY (CNY)   +N      CNY: -N + N = 0
    FX_POSITION_X   (X)     -M
    merchant account (X)    +M      X:   -M + M = 0

The position accounts carry the platform's exposure in each currency (what it sold and
bought); a refund runs the same legs backwards at the quote's own ratio (``refund_legs``).
"""

from __future__ import annotations

from datetime import datetime

from models import Account, Merchant, Transaction, User
from models.fx import FxQuote

from .. import clock
from ..business_days import CHINA
from ..db import Conn
from ..errors import DomainError, ErrorCode, input_field
from ..ledger import sql
from ..ledger.accounts import system_account
from ..ledger.journal import Leg
from .currencies import CNY

POSITION = "FX_POSITION_"


def quote_field() -> tuple[str, ...]:
    return input_field("fxQuoteId")


def year_start(instant: datetime) -> datetime:
    """The start of ``instant``'s China calendar year (the annual limit's window)."""
    local = instant.astimezone(CHINA)
    return local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


def is_foreign(account: Account) -> bool:
    return account.currency != CNY


def require_quote(merchant_account: Account, quote_id: str | None) -> None:
    """A foreign merchant is paid only with a quote (FX_QUOTE_REQUIRED); a CNY merchant never."""
    if is_foreign(merchant_account) and not quote_id:
        raise DomainError(
            ErrorCode.FX_QUOTE_REQUIRED, "该商户以外币结算：请先获取汇率报价并确认后再付款", quote_field()
        )
    if not is_foreign(merchant_account) and quote_id:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "该商户以人民币结算，无需汇率报价", quote_field())


async def require_cny_merchant(merchant: Merchant, what: str, field: tuple[str, ...] | None) -> None:
    """Orders, till charges and payouts are in CNY: CURRENCY_NOT_SUPPORTED for a foreign merchant."""
    loaded = getattr(merchant, "_account", None)
    currency = loaded.currency if isinstance(loaded, Account) else (
        await Account.filter(id=merchant.account_id).values_list("currency", flat=True)
    )[0]
    if currency != CNY:
        raise DomainError(
            ErrorCode.CURRENCY_NOT_SUPPORTED, f"以 {currency} 结算的商户暂不支持{what}：请使用收款码收款", field
        )


def unusable(quote: FxQuote, now: datetime | None = None) -> DomainError | None:
    """Why ``quote`` (as last read) cannot pay now: FX_QUOTE_USED or FX_QUOTE_EXPIRED; None if it can."""
    if quote.transaction_id is not None:
        return DomainError(ErrorCode.FX_QUOTE_USED, "该汇率报价已用于一笔付款，请重新获取报价", quote_field())
    if (now or clock.now()) >= quote.expires_at:
        return DomainError(ErrorCode.FX_QUOTE_EXPIRED, "汇率报价已过期，请重新获取报价", quote_field())
    return None


async def quote_for_payment(
    payer: User, quote_no: str, merchant_id: int, *, cny_amount: int | None, qr_code_id: int | None = None
) -> FxQuote:
    """The payer's live quote for this merchant (made for this QR code, or by merchant number
    when ``qr_code_id`` is None), checked against the entered CNY amount.

    NOT_FOUND (unknown or another user's), VALIDATION_FAILED (another merchant, code or amount),
    FX_QUOTE_USED, FX_QUOTE_EXPIRED; all on ``input.fxQuoteId`` (the amount's on ``input.amount``)."""
    text = (quote_no or "").strip()
    quote = await FxQuote.get_or_none(quote_no=text, user_id=payer.id) if 0 < len(text) <= 40 else None
    if quote is None:
        raise DomainError(ErrorCode.NOT_FOUND, "汇率报价不存在", quote_field())
    # A code is paid with a quote made for that code (its fixed amount), ``pay`` with one made by number.
    if quote.merchant_id != merchant_id or quote.qr_code_id != qr_code_id:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "该汇率报价不是为这位商户开具的", quote_field())
    if cny_amount is not None and cny_amount != quote.cny_amount:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "付款金额与汇率报价的人民币金额不一致", input_field("amount"))
    if (error := unusable(quote)) is not None:
        raise error
    return quote


async def position(currency: str) -> Account:
    """The platform's FX position account in ``currency``."""
    return await system_account(POSITION + currency)


async def payment_legs(wallet: Account, merchant_account: Account, quote: FxQuote) -> tuple[Leg, ...]:
    """The payment's journal, balanced in CNY and in the merchant's currency (module docstring)."""
    return (
        Leg(wallet, -quote.cny_amount),
        Leg(await position(CNY), quote.cny_amount),
        Leg(await position(quote.currency), -quote.merchant_amount),
        Leg(merchant_account, quote.merchant_amount),
    )


async def claim(conn: Conn, quote: FxQuote, transaction: Transaction) -> None:
    """Mark ``quote`` used by ``transaction``: one conditional UPDATE (unused and unexpired), so
    of two payments with one quote exactly one commits; the other rolls back with FX_QUOTE_USED
    (or FX_QUOTE_EXPIRED when its validity ran out meanwhile)."""
    now = clock.now()
    won = await FxQuote.filter(id=quote.id, transaction_id__isnull=True, expires_at__gt=now).using_db(conn).update(
        transaction_id=transaction.id, used_at=now
    )
    if not won:
        fresh = await FxQuote.get(id=quote.id, using_db=conn)
        raise unusable(fresh, now) or DomainError(ErrorCode.FX_QUOTE_USED, "该汇率报价已被使用", quote_field())
    quote.transaction_id, quote.used_at = transaction.id, now


async def used_this_year(conn: Conn, user_id: int, now: datetime) -> int:
    """Fen of the user's cross-border payments since the start of this China calendar year
    (refunds do not give the quota back)."""
    rows = await sql.fetch(
        conn,
        "SELECT COALESCE(SUM(cny_amount), 0) AS used FROM fx_quotes"
        " WHERE user_id = ? AND transaction_id IS NOT NULL AND used_at >= ?",
        user_id, year_start(now),
    )
    return int(rows[0]["used"] or 0) if rows else 0


async def quote_of_payment(transaction_id: int, conn: Conn | None = None) -> FxQuote | None:
    """The quote a cross-border payment used (None for any other transaction)."""
    return await FxQuote.get_or_none(transaction_id=transaction_id, using_db=conn)


def merchant_share(cny_fen: int, quote: FxQuote) -> int:
    """The merchant-currency amount of ``cny_fen`` of the payment at the quote's own ratio,
    half-up; the whole ``cny_amount`` maps to exactly ``merchant_amount``."""
    numerator = cny_fen * quote.merchant_amount
    whole, remainder = divmod(numerator, quote.cny_amount)
    return whole + (1 if remainder * 2 >= quote.cny_amount else 0)


async def refunded_before(conn: Conn, original_id: int, excluding: int) -> int:
    """Fen of the payment already returned by other posted refunds (cumulative rounding base)."""
    rows = await sql.fetch(
        conn,
        "SELECT COALESCE(SUM(t.amount), 0) AS refunded FROM transactions t"
        " WHERE t.related_transaction_id = ? AND t.type = 'REFUND' AND t.id <> ?"
        " AND EXISTS (SELECT 1 FROM journals j WHERE j.transaction_id = t.id AND j.kind = 'POST')",
        original_id, excluding,
    )
    return int(rows[0]["refunded"] or 0) if rows else 0


async def refund_legs(
    conn: Conn, quote: FxQuote, original_id: int, refund_tx_id: int, amount: int, source: Account, payer: Account
) -> list[Leg]:
    """A refund of ``amount`` fen of a cross-border payment, at the original rate.

    The merchant gives back its currency's share of the refunded CNY at the quote's ratio,
    computed on the cumulative refunded amount so that refunds summing to the whole payment
    return exactly ``merchant_amount`` (no rounding drift)."""
    before = await refunded_before(conn, original_id, refund_tx_id)
    back = merchant_share(before + amount, quote) - merchant_share(before, quote)
    legs = [Leg(await position(CNY), -amount), Leg(payer, amount)]
    if back:
        legs += [Leg(source, -back), Leg(await position(quote.currency), back)]
    return legs
