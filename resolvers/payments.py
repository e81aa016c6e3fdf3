"""Payments: thin calls from the API into app.payments, with who-may-see-what checks."""

from __future__ import annotations

from collections.abc import AsyncIterator

from app.errors import DomainError, ErrorCode, Forbidden
from app.ledger.kernel import MoneyResult
from app.payments import merchants, qr_codes
from app.payments.pay import PayRequest, pay
from app.payments.qr_codes import PayQrCodeRequest
from app.payments.qr_watch import QrCodeState, watch_code
from app.payments.transfer import TransferRequest, transfer
from models import Merchant
from models.payments import PaymentQrCode

from .context import RequestContext


async def merchant_by_no(merchant_no: str) -> Merchant | None:
    return await merchants.merchant_by_no(merchant_no)


async def create_merchant(
    ctx: RequestContext, name: str, category: str, owner_phone: str, *, currency: str = "CNY"
) -> Merchant:
    admin = await ctx.require_viewer()
    return await merchants.create_merchant(
        name, category, owner_phone, actor_id=admin.id, ip=ctx.client_ip, currency=currency
    )


async def pay_merchant(ctx: RequestContext, request: PayRequest) -> MoneyResult:
    return await pay(await ctx.require_viewer(), request)


async def transfer_money(ctx: RequestContext, request: TransferRequest) -> MoneyResult:
    return await transfer(await ctx.require_viewer(), request)


async def create_qr_code(
    ctx: RequestContext, amount: int | None, description: str | None, expires_in_seconds: int | None
) -> PaymentQrCode:
    owner = await ctx.require_viewer()
    return await qr_codes.create_code(
        owner, amount=amount, description=description, expires_in_seconds=expires_in_seconds
    )


async def pay_qr_code(ctx: RequestContext, request: PayQrCodeRequest) -> MoneyResult:
    return await qr_codes.pay_code(await ctx.require_viewer(), request)


async def _may_see_merchant(ctx: RequestContext, merchant: Merchant) -> bool:
    viewer = await ctx.viewer()
    return viewer is not None and (viewer.id == merchant.owner_id or await ctx.is_staff())


async def visible_merchant(ctx: RequestContext, merchant_id: int) -> Merchant | None:
    """For ``node``: the merchant's owner and staff only."""
    merchant = await Merchant.get_or_none(id=merchant_id)
    return merchant if merchant is not None and await _may_see_merchant(ctx, merchant) else None


async def visible_qr_code(ctx: RequestContext, code_id: int) -> PaymentQrCode | None:
    """The code, for its merchant's owner and staff only."""
    code = await PaymentQrCode.get_or_none(id=code_id)
    if code is None:
        return None
    merchant = await Merchant.get(id=code.merchant_id)
    return code if await _may_see_merchant(ctx, merchant) else None


async def watch_qr_code(ctx: RequestContext, code_id: int | None) -> AsyncIterator[QrCodeState]:
    """The code's current state, then each change; refused before anything is sent to a stranger."""
    code = await PaymentQrCode.get_or_none(id=code_id) if code_id is not None else None
    if code is None:
        raise DomainError(ErrorCode.NOT_FOUND, "付款码不存在", ("qrCodeId",))
    if await visible_qr_code(ctx, code.id) is None:
        raise Forbidden("无权查看该付款码 (forbidden)")
    async for state in watch_code(code.id):
        yield state
