"""Signed provider notifications: third-party payment results and offline deposit notices.

A request carries ``X-Fenpay-Timestamp`` (Unix seconds) and ``X-Fenpay-Signature``
(hex HMAC-SHA256 with the webhook secret over ``timestamp + "." + body``). A bad
signature or a timestamp more than five minutes away from now is refused before
anything is read. Each event id acts once: it is claimed in ``webhook_events``
before it is applied, so a repeated or concurrent delivery is answered
``duplicate``. Different events about one transaction are safe too, because
completion handlers only move transactions that are still PENDING.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import orjson
from tortoise import connections

from models import Account, Transaction
from models.webhooks import WebhookEvent

from .. import clock, runtime
from ..ledger import sql
from ..ledger.vocabulary import TransactionStatus
from ..money import format_fen
from . import completions

TIMESTAMP_HEADER = "X-Fenpay-Timestamp"
SIGNATURE_HEADER = "X-Fenpay-Signature"
WINDOW = timedelta(minutes=5)
MAX_BODY_BYTES = 16_384

THIRD_PARTY = "THIRD_PARTY"
OFFLINE_DEPOSIT = "OFFLINE_DEPOSIT"

PAYMENT_SUCCEEDED = "payment.succeeded"
PAYMENT_FAILED = "payment.failed"
DEPOSIT_RECEIVED = "deposit.received"

# Which events each sender may send, and the channel of the transactions they finish.
SOURCES: dict[str, tuple[frozenset[str], str]] = {
    THIRD_PARTY: (frozenset({PAYMENT_SUCCEEDED, PAYMENT_FAILED}), "THIRD_PARTY"),
    OFFLINE_DEPOSIT: (frozenset({DEPOSIT_RECEIVED}), "OFFLINE"),
}
SUCCESS_EVENTS = frozenset({PAYMENT_SUCCEEDED, DEPOSIT_RECEIVED})

# Outcomes kept per event id.
RECEIVED = "RECEIVED"  # being handled (a claim older than STALE_CLAIM is taken over)
PROCESSED = "PROCESSED"  # it moved the transaction
IGNORED = "IGNORED"  # the transaction had already left PENDING
STALE_CLAIM = timedelta(minutes=2)


@dataclass(frozen=True)
class WebhookResult:
    status_code: int
    body: dict[str, Any] = field(default_factory=dict)


def signature(timestamp: str, body: bytes, secret: str | None = None) -> str:
    key = (secret or runtime.settings().webhook_secret).encode()
    return hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Headers a provider sends with ``body`` (the sandbox provider uses this)."""
    stamp = str(int(clock.now().timestamp()) if timestamp is None else timestamp)
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature(stamp, body)}


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return headers.get(name) or headers.get(name.lower())


def _refuse(status: int, error: str) -> WebhookResult:
    return WebhookResult(status, {"error": error})


def _authenticate(body: bytes, headers: Mapping[str, str]) -> WebhookResult | None:
    stamp = _header(headers, TIMESTAMP_HEADER)
    given = _header(headers, SIGNATURE_HEADER)
    if not stamp or not given or not stamp.isdigit() or len(stamp) > 12:
        return _refuse(401, "missing or malformed signature headers")
    if not hmac.compare_digest(signature(stamp, body), given.strip().lower()):
        return _refuse(401, "bad signature")
    if abs(clock.now().timestamp() - int(stamp)) > WINDOW.total_seconds():
        return _refuse(400, "timestamp outside the accepted window")
    return None


@dataclass(frozen=True)
class Notice:
    event_id: str
    type: str
    reference: str
    amount: int


def _parse(body: bytes, allowed: frozenset[str]) -> Notice | None:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    event_id, kind, reference, amount = data.get("id"), data.get("type"), data.get("reference"), data.get("amount")
    if not (isinstance(event_id, str) and 1 <= len(event_id) <= 64):
        return None
    if kind not in allowed or not (isinstance(reference, str) and 1 <= len(reference) <= 64):
        return None
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        return None
    return Notice(event_id, kind, reference, amount)


async def _claim(source: str, notice: Notice, transaction_id: int) -> int | None:
    """Record the event as being handled; None when another delivery has it already."""
    rows = await sql.fetch(
        connections.get("default"),
        "INSERT INTO webhook_events (source, event_id, type, reference, transaction_id, outcome, received_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, event_id) DO NOTHING RETURNING id",
        source,
        notice.event_id,
        notice.type,
        notice.reference,
        transaction_id,
        RECEIVED,
        clock.now(),
    )
    if rows:
        return int(rows[0]["id"])
    # A delivery that crashed mid-way left its claim behind: take it over (handlers are idempotent).
    taken = await WebhookEvent.filter(
        source=source, event_id=notice.event_id, outcome=RECEIVED, received_at__lt=clock.now() - STALE_CLAIM
    ).update(received_at=clock.now())
    if taken:
        event = await WebhookEvent.get(source=source, event_id=notice.event_id)
        return event.id
    return None


async def _alert_late_success(tx: Transaction, notice: Notice) -> None:
    from ..risk.alerts import raise_alert

    account = await Account.get(id=tx.account_id)
    await raise_alert(
        "CHANNEL_LATE_CONFIRMATION",
        "HIGH",
        f"交易 {tx.transaction_no} 已是 {tx.status}，但渠道通知已收款 {format_fen(notice.amount)} 元，请人工核对退款",
        user_id=account.user_id,
        transaction_id=tx.id,
        dedupe_key=f"late-confirmation:{tx.id}",
    )


async def _alert_amount_mismatch(tx: Transaction, notice: Notice) -> None:
    from ..risk.alerts import raise_alert

    await raise_alert(
        "CHANNEL_AMOUNT_MISMATCH",
        "HIGH",
        f"渠道通知金额 {format_fen(notice.amount)} 元与交易 {tx.transaction_no} 的 {format_fen(tx.amount)} 元不符，未入账",
        transaction_id=tx.id,
        dedupe_key=f"amount-mismatch:{notice.event_id}"[:100],
    )


async def receive(source: str, body: bytes, headers: Mapping[str, str]) -> WebhookResult:
    """Authenticate, parse and apply one notification (the HTTP route and the sandbox both call this)."""
    if len(body) > MAX_BODY_BYTES:
        return _refuse(413, "body too large")
    refused = _authenticate(body, headers)
    if refused is not None:
        return refused
    allowed, channel = SOURCES[source]
    notice = _parse(body, allowed)
    if notice is None:
        return _refuse(400, "malformed notification")
    tx = await Transaction.get_or_none(external_ref=notice.reference, channel=channel)
    if tx is None:
        return _refuse(404, "unknown reference")
    if tx.amount != notice.amount:
        await _alert_amount_mismatch(tx, notice)
        return _refuse(422, "amount does not match the transaction")
    event_id = await _claim(source, notice, tx.id)
    if event_id is None:
        return WebhookResult(200, {"status": "duplicate"})
    try:
        outcome = await _apply(tx, notice)
    except completions.NoHandler:
        await WebhookEvent.filter(id=event_id).delete()
        return _refuse(422, f"no completion handler for {tx.type}")
    except BaseException:
        await WebhookEvent.filter(id=event_id).delete()  # let the provider's retry run it again
        raise
    await WebhookEvent.filter(id=event_id).update(outcome=outcome)
    fresh = await Transaction.get(id=tx.id)
    return WebhookResult(
        200, {"status": outcome.lower(), "transactionNo": fresh.transaction_no, "transactionStatus": fresh.status}
    )


async def _apply(tx: Transaction, notice: Notice) -> str:
    succeeded = notice.type in SUCCESS_EVENTS
    if tx.status == TransactionStatus.PENDING:
        moved = await (completions.succeed(tx) if succeeded else completions.fail(tx))
        if moved:
            return PROCESSED
        tx = await Transaction.get(id=tx.id)
    if succeeded and tx.status in (TransactionStatus.FAILED, TransactionStatus.CANCELED):
        await _alert_late_success(tx, notice)
    return IGNORED
