"""What a money mutation returns, and how an idempotent replay rebuilds it.

A payment's idempotency record holds ``{"transactionId": id}`` and, when the attempt
ended in a refusal after its transaction was recorded (a declined card), the error
too, so a replay answers exactly as the first request did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models import Account, IdempotencyRecord, Transaction

from ..errors import DomainError, ErrorCode
from ..ledger.accounts import wallet_of


@dataclass(frozen=True)
class Outcome:
    transaction: Transaction
    account: Account
    """The initiator's wallet (its balance after the movement)."""


async def replay(record: IdempotencyRecord, user_id: int) -> Outcome:
    result = record.result or {}
    error = result.get("error")
    if error:
        field = tuple(error["field"]) if error.get("field") else None
        raise DomainError(ErrorCode(error["code"]), error["message"], field)
    transaction = await Transaction.get(id=record.transaction_id)
    return Outcome(transaction=transaction, account=await wallet_of(user_id))


def success_result(transaction: Transaction) -> dict[str, Any]:
    return {"transactionId": transaction.id}


def refusal_result(transaction: Transaction, error: DomainError) -> dict[str, Any]:
    return {
        "transactionId": transaction.id,
        "error": {"code": error.code.value, "message": error.message, "field": list(error.field or ())},
    }
