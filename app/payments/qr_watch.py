"""What the owner's screen sees of a payment QR code: its state now, then every change."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from models.payments import PaymentQrCode

from ..events.live import live_messages
from .qr_codes import latest_payment, status_of
from .qr_events import qr_code_topic


@dataclass(frozen=True)
class QrCodeState:
    code: PaymentQrCode
    status: str
    transaction_id: int | None


async def watch_code(code_id: int) -> AsyncIterator[QrCodeState]:
    last: tuple[str, int | None] | None = None
    async for message in live_messages(qr_code_topic(code_id)):
        code = await PaymentQrCode.get(id=code_id)
        if message is None:  # live: start from the stored state
            payment = await latest_payment(code)
            state = (status_of(code), payment.id if payment else None)
        else:
            state = (str(message["status"]), message.get("transactionId"))
        if state == last:
            continue  # the stored state already showed this event
        last = state
        yield QrCodeState(code=code, status=state[0], transaction_id=state[1])
