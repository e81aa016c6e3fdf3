"""Read-side helpers for refunds."""

from __future__ import annotations

from models import Refund


async def refunds_for_transaction(transaction_id: int) -> list[Refund]:
    return list(await Refund.filter(transaction_id=transaction_id).order_by("id"))
