"""What is told when an order or a merchant refund changes, in the changing transaction.

- ``orderStatus`` subscribers: the order's own topic (published after commit via the outbox).
- payment-code payers: their own topic for charges of their code (``paymentCodeCharges``).
- the merchant: an event (webhooks and the events feed) through ``record_and_send``, whose
  webhooks start going out as soon as the transaction commits.
"""

from __future__ import annotations

from typing import Any

from models import Merchant, Transaction
from models.merchant_platform import MerchantRefund, Order

from ..events.outbox import UnitOfWork
from ..money import format_fen
from .events import record_and_send

ORDER_PAID = "ORDER_PAID"
ORDER_CLOSED = "ORDER_CLOSED"
REFUND_SUCCEEDED = "REFUND_SUCCEEDED"


def order_topic(order_id: int) -> str:
    return f"merchant-order:{order_id}"


def payer_topic(user_id: int) -> str:
    return f"payment-code-charges:{user_id}"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def order_data(order: Order, merchant: Merchant, transaction: Transaction | None) -> dict[str, Any]:
    """The ``order`` object of webhook bodies (amounts as Money strings)."""
    return {
        "merchantNo": merchant.merchant_no,
        "outTradeNo": order.out_trade_no,
        "amount": format_fen(order.amount),
        "fee": format_fen(order.fee),
        "refundedAmount": format_fen(order.refunded_amount),
        "status": order.status,
        "description": order.description,
        "transactionNo": transaction.transaction_no if transaction else None,
        "paidAt": _iso(order.paid_at),
        "closedAt": _iso(order.closed_at),
    }


async def order_changed(uow: UnitOfWork, order: Order, *, notify_payer: bool = False) -> None:
    """Queue the status change for the order's watchers (and its payer, for payment-code orders)."""
    message = {"orderId": order.id, "status": order.status}
    await uow.emit(order_topic(order.id), message)
    if notify_payer and order.payer_user_id is not None:
        await uow.emit(payer_topic(order.payer_user_id), message)


async def order_paid(uow: UnitOfWork, order: Order, merchant: Merchant, transaction: Transaction) -> None:
    await order_changed(uow, order, notify_payer=order.payer_user_id is not None)
    await record_and_send(
        uow, merchant_id=merchant.id, event_type=ORDER_PAID,
        data={"order": order_data(order, merchant, transaction)},
    )


async def order_closed(uow: UnitOfWork, order: Order, merchant: Merchant) -> None:
    await order_changed(uow, order, notify_payer=order.payer_user_id is not None)
    await record_and_send(
        uow, merchant_id=merchant.id, event_type=ORDER_CLOSED, data={"order": order_data(order, merchant, None)}
    )


async def refund_succeeded(
    uow: UnitOfWork, refund: MerchantRefund, order: Order, merchant: Merchant, transaction: Transaction
) -> None:
    await record_and_send(
        uow,
        merchant_id=merchant.id,
        event_type=REFUND_SUCCEEDED,
        data={
            "refund": {
                "merchantNo": merchant.merchant_no,
                "outTradeNo": order.out_trade_no,
                "outRefundNo": refund.out_refund_no,
                "amount": format_fen(refund.amount),
                "feeRefund": format_fen(refund.fee_refund),
                "status": refund.status,
                "reason": refund.reason,
                "transactionNo": transaction.transaction_no,
                "completedAt": _iso(refund.completed_at),
            }
        },
    )
