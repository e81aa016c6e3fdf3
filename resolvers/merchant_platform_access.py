"""Who may act for a merchant in the merchant-platform operations (webhooks, events, statements, payouts).

The merchant's owner (user token), or an API key (``sk_...``) of the merchant with the
operation's scope (WEBHOOKS, STATEMENTS, PAYOUTS; the events feed takes any key of the merchant).
"""

from __future__ import annotations

from typing import Any

from app.errors import DomainError, ErrorCode, input_field
from app.payments.merchants import merchant_by_no
from models import Merchant, User
from models.merchant_platform import MerchantApiKey

from .context import RequestContext


class Unauthenticated(PermissionError):
    """No valid credentials: a GraphQL error with code UNAUTHENTICATED."""

    extensions = {"code": "UNAUTHENTICATED"}


async def request_key(ctx: RequestContext) -> MerchantApiKey | None:
    """The live API key of an ``Authorization: Bearer sk_...`` request (helper ``merchant``'s
    context: ``has_api_key`` / ``await api_key()``, which raises API_KEY_INVALID or RATE_LIMITED);
    None for a user token or no credentials."""
    if not ctx.has_api_key:
        return None
    return await ctx.api_key()


def key_has_scope(key: Any, scope: str | None) -> bool:
    from app.merchant_platform import api_keys  # the key model's owner

    return scope is None or scope in api_keys.scopes_of(key)


async def _key_merchant_id(ctx: RequestContext, scope: str | None) -> int | None:
    """The merchant id of the request's API key after checking ``scope`` (None: no key)."""
    key = await request_key(ctx)
    if key is None:
        return None
    if scope is not None:
        from app.merchant_platform import api_keys

        api_keys.require_scope(key, scope)  # API_KEY_INVALID without it
    return int(key.merchant_id)


async def acting_merchant(
    ctx: RequestContext, merchant_no: str | None, scope: str | None
) -> tuple[Merchant, User | None]:
    """(merchant, owner-or-None-for-a-key) the caller acts for; ``merchantNo`` optional (an owner
    without it acts for their first merchant). Errors: UNAUTHENTICATED (GraphQL error), NOT_FOUND
    on merchantNo (not the owner's), API_KEY_INVALID (key without the scope or of another merchant)."""
    key_merchant = await _key_merchant_id(ctx, scope)
    if key_merchant is not None:
        keyed = await Merchant.get(id=key_merchant)
        if merchant_no and merchant_no.strip() != keyed.merchant_no:
            raise DomainError(ErrorCode.API_KEY_INVALID, "API 密钥不属于该商户", input_field("merchantNo"))
        return keyed, None
    viewer = await ctx.viewer()
    if viewer is None:
        raise Unauthenticated("请先登录 (authentication required)")
    if merchant_no:
        merchant = await merchant_by_no(merchant_no)
        if merchant is None or merchant.owner_id != viewer.id:
            raise DomainError(ErrorCode.NOT_FOUND, "商户不存在", input_field("merchantNo"))
        return merchant, viewer
    merchant = await Merchant.filter(owner_id=viewer.id).order_by("id").first()
    if merchant is None:
        raise DomainError(ErrorCode.NOT_FOUND, "您还没有商户", input_field("merchantNo"))
    return merchant, viewer


async def may_read(ctx: RequestContext, merchant: Merchant, scope: str | None) -> bool:
    """Whether the caller may read the merchant's platform data: its owner, or its API key
    (with ``scope``; any scope when None, as for the events feed)."""
    key = await request_key(ctx)
    if key is not None:
        return int(key.merchant_id) == merchant.id and key_has_scope(key, scope)
    if ctx.has_api_key:
        return False
    viewer = await ctx.viewer()
    return viewer is not None and viewer.id == merchant.owner_id
