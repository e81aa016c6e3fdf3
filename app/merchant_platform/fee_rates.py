"""Setting a merchant's fee rate (ADMIN only; audited). Paid orders keep the rate they paid."""

from __future__ import annotations

from models import Merchant, User

from .. import audit, db
from ..errors import DomainError, ErrorCode, input_field
from .fees import checked_fee_rate


async def set_fee_rate(admin: User, merchant_no: str, fee_rate_bps: int, *, ip: str | None) -> Merchant:
    """Raises NOT_FOUND (merchantNo) or VALIDATION_FAILED (feeRateBps outside 0..10,000)."""
    rate = checked_fee_rate(fee_rate_bps)
    merchant = await Merchant.get_or_none(merchant_no=(merchant_no or "").strip())
    if merchant is None:
        raise DomainError(ErrorCode.NOT_FOUND, "商户不存在", input_field("merchantNo"))
    async with db.atomic() as conn:
        await Merchant.filter(id=merchant.id).using_db(conn).update(fee_rate_bps=rate)
        await audit.record(
            "merchant.fee_rate",
            actor_id=admin.id,
            subject_user_id=merchant.owner_id,
            ip=ip,
            details={"merchantNo": merchant.merchant_no, "from": merchant.fee_rate_bps, "to": rate},
            conn=conn,
        )
    merchant.fee_rate_bps = rate
    return merchant
