"""Expiry of requests to pay: an OPEN request past ``expires_at`` becomes EXPIRED with its
PENDING items (one conditional UPDATE each, in one transaction per request). No money moves."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from models.pay_requests import PayRequest

from ..events.outbox import unit_of_work
from ..ledger import sql
from .live import emit_changed

BATCH = 500


async def expire_request(request_id: int, now: datetime) -> bool:
    async with unit_of_work() as uow:
        rows = await sql.fetch(
            uow.conn,
            "UPDATE pay_requests SET status = 'EXPIRED' WHERE id = ? AND status = 'OPEN' AND expires_at <= ?"
            " RETURNING id",
            request_id, now,
        )
        if not rows:
            return False
        payers = await sql.fetch(
            uow.conn,
            "UPDATE pay_request_items SET status = 'EXPIRED', settled_at = ? WHERE request_id = ? AND status = 'PENDING'"
            " RETURNING payer_id",
            now, request_id,
        )
        await emit_changed(uow, request_id, [int(r["payer_id"]) for r in payers])
    return True


async def expire_due(now: datetime) -> int:
    due = cast(
        "list[int]",
        await PayRequest.filter(status="OPEN", expires_at__lte=now).order_by("id").limit(BATCH).values_list("id", flat=True),
    )
    return sum([await expire_request(int(request_id), now) for request_id in due])
