"""Balance-change events: published after commit to the wallet owner's topic, plus an SMS."""

from __future__ import annotations

from typing import Any

from models import Account

from .. import clock, notifier
from ..events.outbox import UnitOfWork
from ..masking import mask_account_no
from ..money import format_fen
from .accounts import Balance


def balance_topic(account_id: int) -> str:
    return f"balance:{account_id}"


async def emit_balance_changed(
    uow: UnitOfWork,
    account: Account,
    balance: Balance,
    delta: int,
    *,
    transaction_id: int | None,
    sms_phone: str | None = None,
    sms_text: str | None = None,
) -> None:
    """Queue ``balanceChanged`` for the account's subscribers (in the caller's transaction).

    ``delta`` is the signed change of the available balance. With ``sms_phone`` the owner
    also gets a balance SMS (seed 3.2.3).
    """
    payload: dict[str, Any] = {
        "accountId": account.id,
        "delta": delta,
        "available": balance.available,
        "frozen": balance.frozen,
        "transactionId": transaction_id,
        "occurredAt": clock.now().isoformat(),
    }
    await uow.emit(balance_topic(account.id), payload)
    if sms_phone:
        text = sms_text or (
            f"【fenpay】您的账户 {mask_account_no(account.account_no)} 余额变动 "
            f"{'+' if delta >= 0 else ''}{format_fen(delta)} 元，可用余额 {format_fen(balance.available)} 元。"
        )
        await notifier.send(sms_phone, "BALANCE", text, conn=uow.conn)
