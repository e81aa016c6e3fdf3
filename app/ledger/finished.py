"""Counting movements that finish after they were committed (``fenpay_money_movements_finished_total``).

The kernel counts a movement once, with its status at commit (``fenpay_money_movements_total``); a
PENDING or PROCESSING one reaches SUCCEEDED or FAILED later, in one of the completion paths (channel
webhooks and answers, the rail-recovery job, refund arrivals, withdrawal and merchant payouts), each
of which calls ``finished`` right after its conditional status UPDATE moved the row. Counted once the
enclosing unit of work commits; inside a bare ``db.atomic()`` block (no unit of work), at once.
"""

from __future__ import annotations

from models import Transaction

from ..db import Conn
from ..events import outbox
from ..ops import metrics
from .vocabulary import FINAL_STATUSES


async def finished(conn: Conn | None, transaction_id: int, status: str, tx_type: str | None = None) -> None:
    """Count transaction ``transaction_id`` as finished with ``status`` (a final status; others are
    ignored). ``tx_type`` saves a read when the caller knows it; ``conn`` None reads on the
    default connection."""
    if status not in FINAL_STATUSES:
        return
    if tx_type is None:
        types = await Transaction.filter(id=transaction_id).using_db(conn).values_list("type", flat=True)
        if not types:
            return
        tx_type = str(types[0])
    counter = metrics.MOVEMENTS_FINISHED.labels(tx_type, status)
    uow = outbox.current()
    if uow is None:
        counter.inc()
        return

    async def count() -> None:  # only once committed: the caller may still roll back
        counter.inc()

    uow.after_commit(count)
