"""SMS and email delivery behind one interface.

In sandbox mode every message is kept in the database (so every process and the
``GET /sandbox/messages`` endpoint see it). In production a provider adapter
would go here; until one is configured messages are logged without their text.
"""

from __future__ import annotations

import logging
from typing import Any

from models import SandboxMessage

from . import runtime

log = logging.getLogger(__name__)


async def send(recipient: str, purpose: str, text: str, *, conn: Any = None) -> None:
    if runtime.settings().sandbox:
        await SandboxMessage.create(recipient=recipient, purpose=purpose, text=text, using_db=conn)
    else:
        log.info("message for purpose %s queued for provider delivery", purpose)


async def sandbox_messages(recipient: str, limit: int = 50) -> list[dict[str, str]]:
    rows = (
        await SandboxMessage.filter(recipient=recipient).order_by("-id").limit(limit)
    )
    return [
        {
            "recipient": row.recipient,
            "purpose": row.purpose,
            "text": row.text,
            "sentAt": row.sent_at.isoformat(),
        }
        for row in rows
    ]
