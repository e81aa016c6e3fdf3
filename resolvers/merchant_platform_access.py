"""Who may act for a merchant in the merchant-platform operations (webhooks, events, statements, payouts).

Today: the merchant's owner (user token). API keys (``sk_...``) of the merchant with the
operation's scope are accepted where the key context exists (helper ``merchant``'s auth).
"""

from __future__ import annotations

from typing import Any

from app.errors import DomainError, ErrorCode, input_field
from app.payments.merchants import merchant_by_no
from models import Merchant, User


class Unauthenticated(PermissionError):
    """No valid credentials: a GraphQL error with code UNAUTHENTICATED."""

    extensions = {"code": "UNAUTHENTICATED"}


def _key_merchant_id(ctx: Any, scope: str | None) -> int | None:
    """The merchant id of an API key on the request that carries ``scope`` (None: no such key)."""
    key = getattr(ctx, "api_key", None)
    if key is None:
        return None
    scopes = getattr(key, "scopes", None) or []
    if scope is not None and scope not in scopes:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "API 密钥缺少该操作的权限", None)
    return int(key.merchant_id)


async def acting_merchant(ctx: Any, merchant_no: str | None, scope: str | None) -> tuple[Merchant, User | None]:
    """(merchant, owner-or-None-for-a-key) the caller acts for; ``merchantNo`` optional for owners of
    one merchant. Errors: UNAUTHENTICATED (GraphQL error), NOT_FOUND on merchantNo (not yours)."""
    key_merchant = _key_merchant_id(ctx, scope)
    if key_merchant is not None:
        merchant = await Merchant.get(id=key_merchant)
        if merchant_no and merchant_no.strip() != merchant.merchant_no:
            raise DomainError(ErrorCode.NOT_FOUND, "商户不存在", input_field("merchantNo"))
        return merchant, None
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


async def may_read(ctx: Any, merchant: Merchant, scope: str | None) -> bool:
    """Whether the caller may read the merchant's platform data: its owner, or its API key
    (with ``scope``; any scope when None, as for the events feed)."""
    key = getattr(ctx, "api_key", None)
    if key is not None:
        scopes = getattr(key, "scopes", None) or []
        return int(key.merchant_id) == merchant.id and (scope is None or scope in scopes)
    viewer = await ctx.viewer()
    return viewer is not None and viewer.id == merchant.owner_id
