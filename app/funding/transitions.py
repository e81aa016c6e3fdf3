"""Moving a transaction between statuses exactly once.

Every change is a conditional UPDATE on the current status inside the caller's
database transaction; the loser of a race (two webhook deliveries, a job and a
webhook) updates nothing and must not move money.
"""

from __future__ import annotations

from typing import Any

from models import Transaction

from .. import clock
from ..db import Conn
from ..ledger.finished import finished
from ..ledger.vocabulary import FINAL_STATUSES

FINAL = FINAL_STATUSES


async def transition(conn: Conn, transaction_id: int, from_statuses: tuple[str, ...], to: str) -> bool:
    """True when this call moved the transaction from one of ``from_statuses`` to ``to``."""
    changes: dict[str, Any] = {"status": to}
    if to in FINAL:
        changes["completed_at"] = clock.now()
    moved = (
        await Transaction.filter(id=transaction_id, status__in=from_statuses).using_db(conn).update(**changes)
    )
    if moved == 1:
        await finished(conn, transaction_id, to)
    return moved == 1
