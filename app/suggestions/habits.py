"""A user's habits over the last 90 days, read from the ledger (the wallet's AVAILABLE postings)."""

from __future__ import annotations

from datetime import timedelta

from models import Account, Posting

from .. import clock
from ..ledger.accounts import wallet_of
from .rules import WINDOW_DAYS, Habits, habits_from


async def habits_of(user_id: int) -> Habits:
    """The window is the last 90 days, or since the wallet opened if later."""
    wallet: Account = await wallet_of(user_id)
    now = clock.now()
    start = max(now - timedelta(days=WINDOW_DAYS), wallet.created_at)
    rows = await Posting.filter(account_id=wallet.id, bucket="AVAILABLE", created_at__gte=start).order_by(
        "created_at", "id"
    ).values_list("created_at", "amount")
    moved = sum(int(amount) for _, amount in rows)
    start_balance = wallet.available - moved
    moves = [(int((at - start).total_seconds()), int(amount)) for at, amount in rows]
    return habits_from(start_balance, moves, int((now - start).total_seconds()))
