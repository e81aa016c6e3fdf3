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


async def send(recipient: str, purpose: str, text: str, *, code: str | None = None, conn: Any = None) -> None:
    """Deliver ``text`` to ``recipient``; ``code`` is the verification code it carries, if any
    (kept as its own field of the sandbox outbox entry)."""
    if runtime.settings().sandbox:
        await SandboxMessage.create(recipient=recipient, purpose=purpose, text=text, code=code, using_db=conn)
    else:
        log.info("message for purpose %s queued for provider delivery", purpose)


async def sandbox_messages(recipient: str, limit: int = 50) -> list[dict[str, str | None]]:
    """The newest ``limit`` outbox entries of ``recipient``, newest first:
    ``{recipient, purpose, text, code (null when the message carries none), sentAt}``."""
    rows = (
        await SandboxMessage.filter(recipient=recipient).order_by("-id").limit(limit)
    )
    return [
        {
            "recipient": row.recipient,
            "purpose": row.purpose,
            "text": row.text,
            "code": row.code,
            "sentAt": row.sent_at.isoformat(),
        }
        for row in rows
    ]
