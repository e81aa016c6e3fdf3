"""Field resolvers of the Merchant and PaymentQrCode types."""

from __future__ import annotations

from app.payments import qr_codes
from models import Account, Merchant, Transaction
from models.payments import PaymentQrCode

from . import loaders
from .context import RequestContext


async def merchant_account(ctx: RequestContext, merchant: Merchant) -> Account | None:
    """Only the owner and staff see a merchant's merchant account."""
    viewer = await ctx.viewer()
    if viewer is None:
        return None
    if viewer.id != merchant.owner_id and not await ctx.is_staff():
        return None
    return await loaders.must(loaders.current().accounts, merchant.account_id)


def qr_payload(code: PaymentQrCode) -> str:
    return qr_codes.payload_of(code)


def qr_svg(code: PaymentQrCode) -> str:
    return qr_codes.svg_of(qr_codes.payload_of(code))


def qr_status(code: PaymentQrCode) -> str:
    return qr_codes.status_of(code)


async def qr_merchant(code: PaymentQrCode) -> Merchant:
    """The code's merchant (merchants loader: one query for a page of codes)."""
    return await loaders.must(loaders.current().merchants, code.merchant_id)


async def qr_transaction(code: PaymentQrCode, transaction_id: int | None) -> tuple[Transaction, int | None] | None:
    """The code's payment and the merchant account it is seen from (codes are only ever
    shown to their merchant's owner and staff)."""
    if transaction_id is not None:
        tx = await loaders.current().transactions.load(transaction_id)
        tx = tx if tx is not None and tx.reference_id == code.id else None
    else:
        tx = await qr_codes.latest_payment(code)
    if tx is None:
        return None
    return tx, tx.counterparty_account_id
