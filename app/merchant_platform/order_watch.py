"""Live views of orders: the merchant's ``orderStatus`` and the payer's ``paymentCodeCharges``."""

from __future__ import annotations

from collections.abc import AsyncIterator

from models.merchant_platform import Order

from .. import clock
from ..events.live import live_messages
from . import orders
from .order_events import order_topic, payer_topic


async def watch_order(order_id: int) -> AsyncIterator[Order]:
    """The order as it is now, then after each status change (repeats of a status skipped)."""
    last: str | None = None
    async for _message in live_messages(order_topic(order_id)):
        order = await Order.get(id=order_id)
        status = orders.status_of(order)
        if status == last:
            continue
        last = status
        yield order


async def watch_payer_charges(user_id: int) -> AsyncIterator[Order]:
    """First the payer's charges still waiting for confirmation (oldest first), then each change
    of a payment-code order of ``user_id`` (waiting for confirmation, paid, closed)."""
    async for message in live_messages(payer_topic(user_id)):
        if message is None:
            waiting = await Order.filter(
                payer_user_id=user_id, status=orders.AWAITING_CONFIRMATION, expires_at__gt=clock.now()
            ).order_by("id")
            for order in waiting:
                yield order
            continue
        found = await Order.get_or_none(id=int(message["orderId"]), payer_user_id=user_id)
        if found is not None:
            yield found
