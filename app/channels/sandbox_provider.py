"""The sandbox provider's side: it sends the signed notifications a real one would.

``POST /sandbox/checkout/{reference}/complete`` (or ``/fail``) and
``POST /sandbox/deposits/{reference}/arrive`` call these, which sign the body
and hand it to the very function the webhook route uses.
"""

from __future__ import annotations

import secrets

import orjson

from models import Transaction

from ..ledger.vocabulary import Channel
from . import webhooks
from .sandbox import checkout_finished
from .webhooks import WebhookResult


async def _send(source: str, kind: str, reference: str, amount: int) -> WebhookResult:
    body = orjson.dumps(
        {"id": f"evt_{secrets.token_hex(12)}", "type": kind, "reference": reference, "amount": amount}
    )
    return await webhooks.receive(source, body, webhooks.signed_headers(body))


async def finish_checkout(reference: str, succeeded: bool) -> WebhookResult:
    tx = await Transaction.get_or_none(external_ref=reference, channel=Channel.THIRD_PARTY)
    if tx is None:
        return WebhookResult(404, {"error": "unknown checkout"})
    kind = webhooks.PAYMENT_SUCCEEDED if succeeded else webhooks.PAYMENT_FAILED
    await checkout_finished(reference, succeeded)
    return await _send(webhooks.THIRD_PARTY, kind, reference, tx.amount)


async def deposit_arrived(reference: str) -> WebhookResult:
    tx = await Transaction.get_or_none(external_ref=reference, channel=Channel.OFFLINE)
    if tx is None:
        return WebhookResult(404, {"error": "unknown deposit reference"})
    return await _send(webhooks.OFFLINE_DEPOSIT, webhooks.DEPOSIT_RECEIVED, reference, tx.amount)


async def checkout_summary(reference: str) -> Transaction | None:
    return await Transaction.get_or_none(external_ref=reference, channel=Channel.THIRD_PARTY)
