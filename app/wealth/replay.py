"""Idempotent replays of wealth mutations, recognised before any rule is checked again.

A replay must return the first result even when the rules would now say no (the product
sold out, the daily limit now counts the first purchase), so the stored record is looked
up first; the claim inside the money transaction still settles concurrent duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass

from models import IdempotencyRecord, Transaction
from models.wealth import Holding

from ..errors import DomainError, ErrorCode


@dataclass(frozen=True)
class HoldingResult:
    holding: Holding
    transaction: Transaction


async def find_replay(user_id: int, key: str, operation: str, digest: str) -> IdempotencyRecord | None:
    record = await IdempotencyRecord.get_or_none(user_id=user_id, key=key)
    if record is None:
        return None
    if record.operation != operation or record.request_hash != digest:
        raise DomainError(
            ErrorCode.IDEMPOTENCY_KEY_REUSED, "该幂等键已用于另一笔不同的请求", ("input", "idempotencyKey")
        )
    return record


def stored_result(holding_id: int) -> dict[str, int]:
    return {"holdingId": holding_id}


async def load_result(record: IdempotencyRecord) -> HoldingResult:
    """The holding (as it is now) and the transaction of the first request."""
    holding = await Holding.get(id=int(record.result["holdingId"]))
    transaction = await Transaction.get(id=record.transaction_id)
    return HoldingResult(holding=holding, transaction=transaction)
