"""Merchant platform: thin calls from the API into app.merchant_platform, with who-may-act checks.

A merchant operation is done either by an API key of the merchant (``Authorization: Bearer
sk_...``; the key's scope is checked) or by the merchant's signed-in owner. User operations
(the payment code, confirmations, key management) need a signed-in user: a key is never one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from app.merchant_platform import api_keys, fee_rates, merchant_refunds, order_watch, orders, payment_code
from app.merchant_platform.acting import MerchantCaller, acting_merchant, owned_merchant_by_no
from models import Merchant, Refund, Transaction, User
from models.merchant_platform import MerchantApiKey, MerchantRefund, Order

from . import loaders
from .context import RequestContext
from .pagination import Page, paginate


class Unauthenticated(PermissionError):
    extensions = {"code": "UNAUTHENTICATED"}

    def __init__(self) -> None:
        super().__init__("请先登录或提供商户 API 密钥 (authentication required)")


async def merchant_caller(ctx: RequestContext) -> MerchantCaller:
    """The API key of the request, else the signed-in user; neither: UNAUTHENTICATED."""
    key = await ctx.api_key()
    if key is not None:
        return MerchantCaller(api_key=key)
    viewer = await ctx.viewer()
    if viewer is None:
        raise Unauthenticated()
    return MerchantCaller(user=viewer)


async def _acting(ctx: RequestContext, merchant_no: str | None, scope: str) -> Merchant:
    return await acting_merchant(await merchant_caller(ctx), merchant_no, scope)


async def _sees_merchant(ctx: RequestContext, merchant: Merchant, scope: str | None = None) -> bool:
    """Owner, staff, or (with ``scope``, or any scope when None) a key of this merchant."""
    if ctx.has_api_key:
        key = await ctx.api_key()
        return key is not None and key.merchant_id == merchant.id and (
            scope is None or scope in api_keys.scopes_of(key)
        )
    viewer = await ctx.viewer()
    return viewer is not None and (viewer.id == merchant.owner_id or await ctx.is_staff())


# --- API keys and the fee rate ---

async def create_api_key(
    ctx: RequestContext, merchant_no: str, name: str, scopes: list[str], payment_password: str
) -> api_keys.NewApiKey:
    owner = await ctx.require_viewer()
    merchant = await owned_merchant_by_no(owner, merchant_no)
    return await api_keys.create_key(
        owner, merchant, name=name, scopes=scopes, payment_password=payment_password, ip=ctx.client_ip
    )


async def revoke_api_key(ctx: RequestContext, key_id: int) -> MerchantApiKey:
    return await api_keys.revoke_key(await ctx.require_viewer(), key_id, ip=ctx.client_ip)


async def merchant_api_keys(ctx: RequestContext, merchant: Merchant) -> list[MerchantApiKey]:
    """Owner and staff only (an API key does not see the keys)."""
    viewer = await ctx.viewer()
    if viewer is None or (viewer.id != merchant.owner_id and not await ctx.is_staff()):
        return []
    return list(await MerchantApiKey.filter(merchant_id=merchant.id).order_by("-id"))


async def merchant_fee_rate(ctx: RequestContext, merchant: Merchant) -> int | None:
    return merchant.fee_rate_bps if await _sees_merchant(ctx, merchant) else None


async def set_fee_rate(ctx: RequestContext, merchant_no: str, fee_rate_bps: int) -> Merchant:
    return await fee_rates.set_fee_rate(await ctx.require_viewer(), merchant_no, fee_rate_bps, ip=ctx.client_ip)


async def my_merchants(ctx: RequestContext) -> list[Merchant]:
    viewer = await ctx.viewer()
    if viewer is None:
        return []
    return list(await Merchant.filter(owner_id=viewer.id).order_by("id"))


# --- Orders ---

async def create_order(ctx: RequestContext, merchant_no: str | None, new: orders.NewOrder) -> Order:
    merchant = await _acting(ctx, merchant_no, "ORDERS")
    return await orders.create_order(merchant, new)


async def close_order(ctx: RequestContext, *, merchant_no: str | None, out_trade_no: str) -> Order:
    merchant = await _acting(ctx, merchant_no, "ORDERS")
    return await orders.close_order(merchant, out_trade_no)


async def order_by_no(ctx: RequestContext, out_trade_no: str, merchant_no: str | None) -> Order | None:
    merchant = await _acting(ctx, merchant_no, "ORDERS")
    return await orders.find_order(merchant, out_trade_no)


async def merchant_orders(
    ctx: RequestContext, merchant: Merchant, *, first: int | None, after: str | None, status: str | None
) -> Page[Order]:
    if not await _sees_merchant(ctx, merchant, "ORDERS"):
        return Page(items=[], cursors=[], has_next=False, has_previous=False, total=0)
    return await paginate(orders.merchant_orders(merchant, status), first=first, after=after)


async def visible_order(ctx: RequestContext, pk: int) -> Order | None:
    """An order for its merchant (owner, staff, key with ORDERS) or its payment-code payer."""
    order = await Order.get_or_none(id=pk)
    if order is None:
        return None
    merchant = await _merchant(order.merchant_id)
    if await _sees_merchant(ctx, merchant, "ORDERS"):
        return order
    viewer = await ctx.viewer()
    return order if viewer is not None and order.payer_user_id == viewer.id else None


async def _merchant(merchant_id: int) -> Merchant:
    """A row's merchant (merchants loader: one query for all the rows of a page)."""
    return await loaders.must(loaders.current().merchants, merchant_id)


async def order_merchant(order: Order) -> Merchant:
    return await _merchant(order.merchant_id)


async def order_transaction(order: Order, *, for_payer: bool) -> tuple[Transaction, int | None] | None:
    """The order's payment and the account it is seen from (the payer's or the merchant's; None: the
    payer's, see ``TransactionType.from_model``)."""
    if order.transaction_id is None:
        return None
    tx = await loaders.must(loaders.current().transactions, order.transaction_id)
    return tx, (tx.account_id if for_payer else tx.counterparty_account_id)


async def order_refunds(order: Order) -> list[MerchantRefund]:
    return list(await MerchantRefund.filter(order_id=order.id).order_by("id"))


async def order_refund_requests(ctx: RequestContext, order: Order) -> list[Refund]:
    """The payer's refund requests (the staff-reviewed flow of app.refunds) against the order's payment.

    Seen by the merchant's owner, staff, or a key of the merchant with the ORDERS or REFUNDS
    scope; anyone else gets an empty list. Oldest first.
    """
    if order.transaction_id is None:
        return []
    merchant = await _merchant(order.merchant_id)
    if not (await _sees_merchant(ctx, merchant, "ORDERS") or await _sees_merchant(ctx, merchant, "REFUNDS")):
        return []
    return list(await Refund.filter(transaction_id=order.transaction_id).order_by("id"))


def order_status(order: Order) -> str:
    return orders.status_of(order)


async def watch_order(ctx: RequestContext, out_trade_no: str, merchant_no: str | None) -> AsyncIterator[Order]:
    merchant = await _acting(ctx, merchant_no, "ORDERS")
    order = await orders.order_of(merchant, out_trade_no)
    async for state in order_watch.watch_order(order.id):
        yield state


# --- Merchant refunds ---

async def refund_order(
    ctx: RequestContext, *, merchant_no: str | None, out_trade_no: str, out_refund_no: str, amount: int,
    reason: str | None,
) -> MerchantRefund:
    merchant = await _acting(ctx, merchant_no, "REFUNDS")
    return await merchant_refunds.refund_order(
        merchant, out_trade_no=out_trade_no, out_refund_no=out_refund_no, amount=amount, reason=reason
    )


async def refund_order_of(refund: MerchantRefund) -> Order:
    return await Order.get(id=refund.order_id)


async def refund_transaction(refund: MerchantRefund) -> tuple[Transaction, int | None] | None:
    if refund.transaction_id is None:
        return None
    tx = await loaders.must(loaders.current().transactions, refund.transaction_id)
    return tx, tx.counterparty_account_id


async def visible_refund(ctx: RequestContext, pk: int) -> MerchantRefund | None:
    refund = await MerchantRefund.get_or_none(id=pk)
    if refund is None:
        return None
    merchant = await _merchant(refund.merchant_id)
    return refund if await _sees_merchant(ctx, merchant) else None


async def visible_api_key(ctx: RequestContext, pk: int) -> MerchantApiKey | None:
    key = await MerchantApiKey.get_or_none(id=pk)
    if key is None:
        return None
    return key if key in await merchant_api_keys(ctx, await _merchant(key.merchant_id)) else None


# --- The payment code ---

async def enable_payment_code(ctx: RequestContext, payment_password: str) -> payment_code.EnabledCode:
    return await payment_code.enable(await ctx.require_viewer(), payment_password, ip=ctx.client_ip)


async def disable_payment_code(ctx: RequestContext, payment_password: str) -> None:
    await payment_code.disable(await ctx.require_viewer(), payment_password, ip=ctx.client_ip)


async def current_payment_code(ctx: RequestContext) -> payment_code.PaymentCodeView | None:
    return await payment_code.current_code(await ctx.require_viewer())


async def payment_code_enabled(user: User) -> bool:
    return await payment_code.is_enabled(user.id)


async def charge_payment_code(
    ctx: RequestContext, *, merchant_no: str | None, code: str, amount: int, out_trade_no: str, description: str | None
) -> Order:
    merchant = await _acting(ctx, merchant_no, "ORDERS")
    return await payment_code.charge(
        merchant, code=code, amount=amount, out_trade_no=out_trade_no, description=description
    )


async def confirm_payment_code_charge(
    ctx: RequestContext, order_id: int, payment_password: str, verification_code: str | None
) -> Order:
    return await payment_code.confirm(
        await ctx.require_viewer(), order_id, payment_password=payment_password, verification_code=verification_code
    )


async def watch_payment_code_charges(ctx: RequestContext) -> AsyncIterator[Order]:
    user_id = await ctx.streaming_viewer_id()
    async for order in order_watch.watch_payer_charges(user_id):
        yield order
