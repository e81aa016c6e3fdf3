"""Cross-border payments: thin calls from the API into app.fx, with who-may-see-what checks."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise import connections

from app import clock
from app.fx import booking
from app.fx.currencies import CNY
from app.fx.limits import annual_limit_fen
from app.fx.quotes import QuoteRequest, create_quote
from app.ledger import sql
from app.payments import merchants
from models import Account, Merchant, Transaction
from models.fx import FxQuote

from . import loaders
from .context import RequestContext


@dataclass(frozen=True)
class FxView:
    """Both currencies of a cross-border payment or refund (integer minor units)."""

    cny_amount: int
    merchant_amount: int
    currency: str
    rate: str


@dataclass(frozen=True)
class Usage:
    year: int
    used: int
    limit: int


async def quote(
    ctx: RequestContext, merchant_no: str | None, payload: str | None, amount: str | None, currency: str
) -> tuple[FxQuote, Merchant]:
    user = await ctx.require_viewer()
    made = await create_quote(user, QuoteRequest(merchant_no=merchant_no, payload=payload, amount=amount,
                                                 amount_currency=currency))
    merchant = await Merchant.get(id=made.merchant_id)
    return made, merchant


async def set_currency(ctx: RequestContext, merchant_no: str, currency: str) -> Merchant:
    admin = await ctx.require_viewer()
    return await merchants.set_merchant_currency(merchant_no, currency, actor_id=admin.id, ip=ctx.client_ip)


async def merchant_currency(merchant: Merchant) -> str:
    loaded = getattr(merchant, "_account", None)
    if isinstance(loaded, Account):
        return loaded.currency
    account = await loaders.current().accounts.load(merchant.account_id)  # one query for a page
    return account.currency if account is not None else CNY


async def fx_of(tx: Transaction) -> FxView | None:
    """The FX view of a cross-border payment (its quote) or of a refund of one (what the
    position account took back, from the refund's own postings)."""
    if tx.type == "PAYMENT":
        q = await booking.quote_of_payment(tx.id)
        return FxView(q.cny_amount, q.merchant_amount, q.currency, q.rate) if q else None
    if tx.type != "REFUND" or tx.related_transaction_id is None:
        return None
    q = await booking.quote_of_payment(tx.related_transaction_id)
    if q is None:
        return None
    rows = await sql.fetch(
        connections.get("default"),
        "SELECT COALESCE(SUM(p.amount), 0) AS back FROM postings p JOIN journals j ON j.id = p.journal_id"
        " JOIN accounts a ON a.id = p.account_id WHERE j.transaction_id = ? AND a.code = ?",
        tx.id, booking.POSITION + q.currency,
    )
    return FxView(tx.amount, int(rows[0]["back"] or 0) if rows else 0, q.currency, q.rate)


async def usage(ctx: RequestContext) -> Usage:
    user = await ctx.require_viewer()
    now = clock.now()
    used = await booking.used_this_year(connections.get("default"), user.id, now)
    return Usage(year=booking.year_start(now).year, used=used, limit=await annual_limit_fen())
