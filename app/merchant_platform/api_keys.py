"""Merchant API keys: ``sk_`` + 43 random url-safe characters, shown once.

Only a keyed hash is stored (HMAC-SHA256 with the server's payment pepper, which is not in
the database); a key is found by its first 11 characters (``prefix``) and then compared in
constant time. Keys carry scopes, are revoked at once, are rate-limited per key (a fixed
one-minute window in the key-value store: Redis when configured), and every use stamps
``last_used_at``. Creation and revocation are audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from models import Merchant, User
from models.merchant_platform import MerchantApiKey

from .. import audit, clock, db, runtime
from ..errors import DomainError, ErrorCode, input_field
from ..identity.payment_password import verify_payment_password
from ..payments.validation import required_text

KEY_PREFIX = "sk_"
PREFIX_LENGTH = 11
SCOPES = ("ORDERS", "REFUNDS", "STATEMENTS", "PAYOUTS", "WEBHOOKS")
MAX_ACTIVE_KEYS = 20
RATE_WINDOW_SECONDS = 60


def is_api_key(token: str | None) -> bool:
    return bool(token) and token.startswith(KEY_PREFIX)  # type: ignore[union-attr]


def _hash(secret: str) -> str:
    pepper = runtime.settings().payment_pepper
    return hmac.new(pepper, f"api-key:{secret}".encode(), hashlib.sha256).hexdigest()


def scopes_of(key: MerchantApiKey) -> list[str]:
    return key.scopes.split()


@dataclass(frozen=True)
class NewApiKey:
    key: MerchantApiKey
    secret: str
    """The whole key; never stored, shown once."""


def _checked_scopes(scopes: list[str]) -> list[str]:
    chosen = [scope for scope in SCOPES if scope in set(scopes)]
    if not chosen or len(set(scopes)) != len(chosen):
        raise DomainError(ErrorCode.VALIDATION_FAILED, "请至少选择一个有效的权限范围", input_field("scopes"))
    return chosen


async def create_key(
    owner: User, merchant: Merchant, *, name: str, scopes: list[str], payment_password: str, ip: str | None
) -> NewApiKey:
    """Owner only (the caller checked ownership). Raises VALIDATION_FAILED, INVALID_PAYMENT_PASSWORD."""
    name = required_text(name, 60, "name")
    chosen = _checked_scopes(scopes)
    await verify_payment_password(owner, payment_password)
    if await MerchantApiKey.filter(merchant_id=merchant.id, revoked_at=None).count() >= MAX_ACTIVE_KEYS:
        raise DomainError(
            ErrorCode.LIMIT_EXCEEDED, f"每个商户最多 {MAX_ACTIVE_KEYS} 个有效密钥，请先吊销不用的密钥", input_field("name")
        )
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    async with db.atomic() as conn:
        key = await MerchantApiKey.create(
            merchant_id=merchant.id,
            name=name,
            prefix=secret[:PREFIX_LENGTH],
            key_hash=_hash(secret),
            scopes=" ".join(chosen),
            created_by=owner.id,
            using_db=conn,
        )
        await audit.record(
            "merchant_api_key.create",
            actor_id=owner.id,
            ip=ip,
            details={"merchantNo": merchant.merchant_no, "prefix": key.prefix, "scopes": chosen},
            conn=conn,
        )
    return NewApiKey(key=key, secret=secret)


async def revoke_key(owner: User, key_id: int, *, ip: str | None) -> MerchantApiKey:
    """Revoke one of the owner's keys at once (NOT_FOUND for anyone else's); repeats are harmless."""
    key = await MerchantApiKey.get_or_none(id=key_id).select_related("merchant")
    if key is None or key.merchant.owner_id != owner.id:
        raise DomainError(ErrorCode.NOT_FOUND, "密钥不存在", input_field("apiKeyId"))
    if key.revoked_at is None:
        now = clock.now()
        async with db.atomic() as conn:
            await MerchantApiKey.filter(id=key.id, revoked_at=None).using_db(conn).update(revoked_at=now)
            await audit.record(
                "merchant_api_key.revoke",
                actor_id=owner.id,
                ip=ip,
                details={"merchantNo": key.merchant.merchant_no, "prefix": key.prefix},
                conn=conn,
            )
        key.revoked_at = now
    return key


def _invalid() -> DomainError:
    return DomainError(ErrorCode.API_KEY_INVALID, "API 密钥无效、已吊销或无此权限", None)


async def _live_key(secret: str) -> MerchantApiKey | None:
    if not is_api_key(secret) or len(secret) > 100:
        return None
    key = await MerchantApiKey.get_or_none(prefix=secret[:PREFIX_LENGTH]).select_related("merchant")
    if key is None or key.revoked_at is not None or not hmac.compare_digest(key.key_hash, _hash(secret)):
        return None
    return key


async def is_live(secret: str) -> bool:
    """Whether ``secret`` is a known, unrevoked key (not counted as a use)."""
    return await _live_key(secret) is not None


async def authenticate(secret: str) -> MerchantApiKey:
    """The live key for ``secret`` (its ``merchant`` loaded), counted against its rate limit.

    Raises API_KEY_INVALID (unknown or revoked) or RATE_LIMITED with ``retry_after_seconds``.
    """
    key = await _live_key(secret)
    if key is None:
        raise _invalid()
    await _count_use(key)
    await MerchantApiKey.filter(id=key.id).update(last_used_at=clock.now())
    return key


async def _count_use(key: MerchantApiKey) -> None:
    settings = runtime.settings()
    kv = runtime.get().kv
    window = int(clock.now().timestamp()) // RATE_WINDOW_SECONDS
    bucket = f"api-key-rate:{key.id}:{window}"
    used = await kv.incr(bucket, RATE_WINDOW_SECONDS + 1)
    if used > settings.api_key_requests_per_minute:
        wait = RATE_WINDOW_SECONDS - int(clock.now().timestamp()) % RATE_WINDOW_SECONDS
        raise DomainError(
            ErrorCode.RATE_LIMITED, "请求过于频繁，请稍后再试", None, retry_after_seconds=max(1, wait)
        )


def require_scope(key: MerchantApiKey, scope: str) -> None:
    if scope not in scopes_of(key):
        raise _invalid()
