"""The message outbox: ``enqueue`` writes a message in the caller's transaction; ``deliver_due``
(the ``message-delivery`` job, and a best-effort immediate attempt after an autocommitted
enqueue) claims due messages one by one and sends each through its channel.

Claiming is one conditional UPDATE (PENDING and due, or SENDING with an expired lease ->
SENDING with a new lease), so two workers never send the same message at once; a message
is marked SENT right after the provider took it. A crash between the two leaves the lease
to expire and the message is sent again with the same id (providers de-duplicate on it).
Failures retry with backoff; after ``max_attempts`` (or a permanent failure, or a
verification code that expired on the way) the message is DEAD: a dead letter staff can list.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from tortoise.expressions import Q

from models.messaging import OutboundMessage

from .. import background, clock
from ..db import Conn
from .channels import DeliveryError, Message, MessageChannel

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, DEAD = "PENDING", "SENDING", "SENT", "DEAD"
SMS, EMAIL = "SMS", "EMAIL"
LEASE = timedelta(seconds=60)
BACKOFF_SECONDS = (10, 30, 120, 600, 1800, 3600, 7200)
CODE_VALIDITY = timedelta(minutes=5)
"""A verification code is worthless after this; a code still undelivered then is not sent late."""



def channel_for(recipient: str) -> str:
    return EMAIL if "@" in recipient else SMS


def backoff(attempts: int) -> timedelta:
    """Delay before attempt ``attempts + 1`` (attempts already made: 1, 2, ...)."""
    return timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1])


def new_message(recipient: str, purpose: str, text: str, *, params: dict[str, str] | None = None) -> OutboundMessage:
    """A PENDING message due now, not yet written (``enqueue`` writes it)."""
    return OutboundMessage(
        channel=channel_for(recipient), recipient=recipient, purpose=purpose, text=text,
        params=params or {}, next_attempt_at=clock.now(),
    )


async def enqueue(recipient: str, purpose: str, text: str, *, params: dict[str, str] | None = None,
                  conn: Conn | None = None) -> OutboundMessage:
    """Queue one message (in ``conn``'s transaction when given). Without ``conn`` the row is
    committed at once and a delivery attempt starts in the background."""
    message = new_message(recipient, purpose, text, params=params)
    await message.save(using_db=conn, force_create=True)
    if conn is None:
        background.spawn(_deliver_quietly(message.id), name=f"message-{message.id}")
    return message


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0

    def __str__(self) -> str:
        return f"sent {self.sent}, retrying {self.retried}, dead {self.dead}"


def _due(now: datetime) -> Q:
    return Q(status=PENDING, next_attempt_at__lte=now) | Q(status=SENDING, lease_until__lt=now)


async def deliver_due(now: datetime | None = None, *, limit: int = 200) -> DeliveryReport:
    """Send every message due at ``now`` (default: the clock)."""
    now = now or clock.now()
    report = DeliveryReport()
    ids = cast("list[int]", await OutboundMessage.filter(_due(now)).order_by("id").limit(limit).values_list("id", flat=True))
    for message_id in ids:
        outcome = await deliver_one(int(message_id), now)
        if outcome == SENT:
            report.sent += 1
        elif outcome == DEAD:
            report.dead += 1
        elif outcome == PENDING:
            report.retried += 1
    return report


async def _deliver_quietly(message_id: int) -> None:
    try:
        await deliver_one(message_id, clock.now())
    except Exception as exc:  # the job retries; a background attempt must never raise
        log.warning("immediate delivery of message %s postponed: %s", message_id, type(exc).__name__)


async def deliver_one(message_id: int, now: datetime) -> str | None:
    """Claim and send one message; returns its new status, or None when another worker has it."""
    claimed = await OutboundMessage.filter(_due(now), id=message_id).update(status=SENDING, lease_until=now + LEASE)
    if not claimed:
        return None
    row = await OutboundMessage.get(id=message_id)
    if "code" in row.params and now - row.created_at > CODE_VALIDITY:
        return await _finish(row, DEAD, "verification code expired before delivery")
    from .configured import channel  # built from settings once per process

    sender: MessageChannel = channel(row.channel)
    try:
        await sender.send(Message(id=row.id, recipient=row.recipient, purpose=row.purpose,
                                  text=row.text, params=dict(row.params)))
    except DeliveryError as exc:
        return await _retry_or_bury(row, now, str(exc), permanent=exc.permanent)
    except Exception as exc:  # an adapter bug must not lose the message: retry it like an outage
        log.exception("channel %s failed on message %s", sender.name, row.id)
        return await _retry_or_bury(row, now, type(exc).__name__, permanent=False)
    await OutboundMessage.filter(id=row.id).update(status=SENT, sent_at=now, attempts=row.attempts + 1,
                                                    lease_until=None)
    return SENT


async def _retry_or_bury(row: OutboundMessage, now: datetime, reason: str, *, permanent: bool) -> str:
    from .. import runtime

    attempts = row.attempts + 1
    if permanent or attempts >= runtime.settings().message_max_attempts:
        log.warning("message %s (%s) is a dead letter after %s attempts: %s", row.id, row.purpose, attempts, reason)
        return await _finish(row, DEAD, reason, attempts=attempts)
    await OutboundMessage.filter(id=row.id).update(
        status=PENDING, attempts=attempts, last_error=reason[:300], next_attempt_at=now + backoff(attempts),
        lease_until=None,
    )
    return PENDING


async def _finish(row: OutboundMessage, status: str, reason: str, *, attempts: int | None = None) -> str:
    await OutboundMessage.filter(id=row.id).update(
        status=status, last_error=reason[:300], lease_until=None,
        attempts=row.attempts if attempts is None else attempts,
    )
    return status


async def dead_letters(limit: int = 50, after_id: int | None = None) -> list[OutboundMessage]:
    """Dead messages, newest first (for staff)."""
    query = OutboundMessage.filter(status=DEAD)
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    return await query.order_by("-id").limit(limit)


