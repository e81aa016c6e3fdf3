"""Reading accounts and transactions as their owner, and the viewer's balance-change stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.events import resume
from app.ledger.accounts import wallet_of
from app.ledger.events import balance_topic
from app.ledger.ownership import visible_account, visible_transaction
from models import Account, Transaction

from .context import RequestContext


async def transaction_by_no(ctx: RequestContext, transaction_no: str) -> tuple[Transaction, int] | None:
    """The transaction and the viewer's side of it, for its initiator or counterparty only."""
    viewer_id = ctx.viewer_id
    if viewer_id is None:
        return None
    return await visible_transaction(viewer_id, transaction_no=transaction_no)


async def transaction_node(ctx: RequestContext, transaction_id: int) -> tuple[Transaction, int] | None:
    viewer_id = ctx.viewer_id
    if viewer_id is None:
        return None
    return await visible_transaction(viewer_id, transaction_id=transaction_id)


async def account_node(ctx: RequestContext, account_id: int) -> Account | None:
    viewer_id = ctx.viewer_id
    if viewer_id is None:
        return None
    return await visible_account(viewer_id, account_id)


@dataclass(frozen=True)
class BalanceChange:
    account: Account
    delta: int
    available: int
    held: int  # served as ``frozen``
    transaction: Transaction | None
    occurred_at: datetime
    event_id: int | None = None


async def _build(wallet: Account, payload: dict[str, Any]) -> BalanceChange:
    transaction_id = payload.get("transactionId")
    transaction = await Transaction.get_or_none(id=transaction_id) if transaction_id else None
    return BalanceChange(
        account=wallet,
        delta=int(payload["delta"]),
        available=int(payload["available"]),
        held=int(payload["frozen"]),
        transaction=transaction,
        occurred_at=datetime.fromisoformat(payload["occurredAt"]),
        event_id=payload.get("eventId"),
    )


async def balance_changes(user_id: int, after: str | None = None) -> AsyncIterator[BalanceChange]:
    """Events of the user's own wallet only: the topic is derived from the viewer, never from input.

    The event stream reads the runtime broker, refills gaps from the outbox and drops repeats.
    ``after`` (an event cursor) first replays the changes since it; VALIDATION_FAILED (after) if malformed.
    """
    cursor = resume.parse_cursor(after)
    wallet = await wallet_of(user_id)
    async for payload in resume.subscribe(balance_topic(wallet.id), cursor):
        yield await _build(wallet, payload)


async def balance_event_cursor(account: Account) -> str:
    """The cursor to pass as ``balanceChanged(after:)`` to resume from this read of the account."""
    return await resume.topic_cursor(balance_topic(account.id))
