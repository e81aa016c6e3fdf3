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


def balance_payload(account: Account, balance: Balance, delta: int, transaction_id: int | None) -> dict[str, Any]:
    """The ``balanceChanged`` event body: ``{accountId, delta, available, frozen, transactionId,
    occurredAt}`` (amounts in fen, the balance after the change)."""
    return {
        "accountId": account.id,
        "delta": delta,
        "available": balance.available,
        "frozen": balance.held,  # the API's name
        "transactionId": transaction_id,
        "occurredAt": clock.now().isoformat(),
    }


def balance_sms_parts(account: Account, delta: int) -> tuple[str, str]:
    """The default balance SMS around its one figure that depends on the balance after the
    change: the text is ``prefix + format_fen(available) + suffix`` (the money kernel writes it
    with the available balance its own statement computes)."""
    prefix = (
        f"【fenpay】您的账户 {mask_account_no(account.account_no)} 余额变动 "
        f"{'+' if delta >= 0 else ''}{format_fen(delta)} 元，可用余额 "
    )
    return prefix, " 元。"


def balance_sms(account: Account, delta: int, available: int) -> str:
    """The default balance SMS (seed 3.2.3)."""
    prefix, suffix = balance_sms_parts(account, delta)
    return prefix + format_fen(available) + suffix


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
    await uow.emit(balance_topic(account.id), balance_payload(account, balance, delta, transaction_id))
    if sms_phone:
        text = sms_text or balance_sms(account, delta, balance.available)
        await notifier.send(sms_phone, "BALANCE", text, conn=uow.conn)
