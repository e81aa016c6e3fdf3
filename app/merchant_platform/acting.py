"""Who a merchant operation acts for: an API key of the merchant (with the scope the
operation needs) or the merchant's owner signed in as a user (naming ``merchantNo``)."""

from __future__ import annotations

from dataclasses import dataclass

from models import Merchant, User
from models.merchant_platform import MerchantApiKey

from ..errors import DomainError, ErrorCode, input_field
from .api_keys import require_scope


@dataclass(frozen=True)
class MerchantCaller:
    """Exactly one of ``user`` (a signed-in user) or ``api_key`` (a live, rate-counted key) is set."""

    user: User | None = None
    api_key: MerchantApiKey | None = None


def _no_such_merchant() -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, "商户不存在或不属于您", input_field("merchantNo"))


async def acting_merchant(caller: MerchantCaller, merchant_no: str | None, scope: str) -> Merchant:
    """The merchant the caller acts for, its merchant account loaded.

    Key: API_KEY_INVALID without ``scope`` or when ``merchant_no`` names another merchant.
    Owner: VALIDATION_FAILED without ``merchant_no``; NOT_FOUND for a merchant not theirs.
    """
    if caller.api_key is not None:
        require_scope(caller.api_key, scope)
        merchant = await Merchant.filter(id=caller.api_key.merchant_id).select_related("account").first()
        if merchant is None or (merchant_no is not None and merchant_no.strip() != merchant.merchant_no):
            raise DomainError(ErrorCode.API_KEY_INVALID, "API 密钥不属于该商户", input_field("merchantNo"))
        return merchant
    if caller.user is None:
        raise PermissionError("UNAUTHENTICATED")
    if not merchant_no or not merchant_no.strip():
        raise DomainError(ErrorCode.VALIDATION_FAILED, "请填写商户号", input_field("merchantNo"))
    merchant = await Merchant.filter(merchant_no=merchant_no.strip()).select_related("account").first()
    if merchant is None or merchant.owner_id != caller.user.id:
        raise _no_such_merchant()
    return merchant


async def owned_merchant_by_no(owner: User, merchant_no: str) -> Merchant:
    """A merchant the signed-in ``owner`` owns (NOT_FOUND otherwise)."""
    return await acting_merchant(MerchantCaller(user=owner), merchant_no, "ORDERS")
