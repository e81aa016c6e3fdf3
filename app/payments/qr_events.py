"""Events of payment QR codes: published after commit on the code's own topic."""

from __future__ import annotations

from ..events.outbox import UnitOfWork


def qr_code_topic(code_id: int) -> str:
    return f"payment-qr:{code_id}"


async def emit_status(uow: UnitOfWork, code_id: int, status: str, transaction_id: int | None) -> None:
    await uow.emit(
        qr_code_topic(code_id), {"qrCodeId": code_id, "status": status, "transactionId": transaction_id}
    )


async def emit_paid(uow: UnitOfWork, code_id: int, transaction_id: int) -> None:
    await emit_status(uow, code_id, "PAID", transaction_id)
