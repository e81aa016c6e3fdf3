"""Recovery of movements left PROCESSING on an external rail (a call that timed out or raised,
or a worker that died between the call and the journal).

Each capability's ``app/<package>/recovery.py`` provides one recoverer per ``Transaction.type``,
listed in the table ``RECOVERERS`` of app/channels/recoverers.py. A recoverer takes the
PROCESSING transaction, asks its channel with ``query(reference)`` and finishes the movement through the same completion code the normal path uses. It
returns ``SUCCEEDED`` (posted), ``FAILED`` (released), or ``UNKNOWN`` (the channel still
cannot say: the money stays held). It must be idempotent (conditional transitions): a
webhook, a late answer or another worker may finish the movement at the same time.

``recover_stuck(now, recoverers)`` (the ``rail-recovery`` job, every minute and under
``fenpay jobs run``) runs the recoverer of every movement PROCESSING for longer than
``FENPAY_PROCESSING_GRACE_SECONDS``; one still unresolved after
``FENPAY_PROCESSING_MAX_AGE_SECONDS`` raises one CRITICAL alert (money still held), and
``fenpay reconcile`` reports it as a break (app/ledger/reconcile.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from models import Account, Transaction

from .. import runtime
from ..ledger.processing import waiting_longer_than
from ..money import format_fen
from .base import SUCCEEDED, UNKNOWN

log = logging.getLogger(__name__)

FAILED = "FAILED"
Recoverer = Callable[[Transaction], Awaitable[str]]
ALERT_TYPE = "PROCESSING_TOO_LONG"
RUN_BUDGET_SECONDS = 45.0  # of the job's 60 s interval


async def outcome_of(transaction_id: int) -> str:
    """SUCCEEDED or FAILED once the movement is final (whoever finished it), else UNKNOWN."""
    status = (await Transaction.get(id=transaction_id)).status
    if status == "SUCCEEDED":
        return SUCCEEDED
    if status in ("FAILED", "CANCELED"):
        return FAILED
    return UNKNOWN


@dataclass
class RecoveryReport:
    posted: int = 0
    released: int = 0
    unknown: int = 0
    alerted: int = 0

    def summary(self) -> str:
        return (
            f"stuck movements posted {self.posted}, released {self.released}, still unknown {self.unknown},"
            f" alerts raised {self.alerted}"
        )


async def _alert(tx: Transaction, since: datetime) -> bool:
    from ..risk.alerts import raise_alert

    account = await Account.get_or_none(id=tx.account_id)
    alert = await raise_alert(
        ALERT_TYPE,
        "CRITICAL",
        f"交易 {tx.transaction_no}（{tx.type}/{tx.channel}，{format_fen(tx.amount)} 元）自 {since.isoformat()}"
        " 起一直处理中，渠道无法确认结果，资金仍冻结，请人工向渠道核实",
        user_id=account.user_id if account is not None else None,
        transaction_id=tx.id,
        dedupe_key=f"processing-too-long:{tx.id}",
    )
    return alert is not None


async def recover_stuck(now: datetime, recoverers: Mapping[str, Recoverer]) -> RecoveryReport:
    """Ask the channel about every movement PROCESSING past the grace period, with the
    recoverer of its ``Transaction.type`` (none: it stays UNKNOWN)."""
    settings = runtime.settings()
    grace = timedelta(seconds=settings.processing_grace_seconds)
    max_age = timedelta(seconds=settings.processing_max_age_seconds)
    report = RecoveryReport()
    budget_ends = time.monotonic() + RUN_BUDGET_SECONDS
    for waiting in await waiting_longer_than(now, grace):
        if time.monotonic() > budget_ends:
            break  # a slow channel must not make runs overlap: the next run goes on
        tx = waiting.transaction
        recoverer = recoverers.get(tx.type)
        if recoverer is None:
            outcome = UNKNOWN
        else:
            try:
                outcome = await recoverer(tx)
            except Exception as exc:  # one bad movement must not stop the others
                log.warning("recovery of %s failed: %s", tx.transaction_no, type(exc).__name__)
                outcome = UNKNOWN
        if outcome == SUCCEEDED:
            report.posted += 1
        elif outcome == FAILED:
            report.released += 1
        else:
            report.unknown += 1
            if now - waiting.since > max_age and await _alert(tx, waiting.since):
                report.alerted += 1
    return report
