"""SMS and email delivery behind one interface.

In sandbox mode every message is kept in the database (so every process and the
``GET /sandbox/messages`` endpoint see it). In production it goes to the message outbox
(``app/messaging/``) and from there through the configured SMS or email channel, with
retries and dead letters.
"""

from __future__ import annotations

import logging
import re

from tortoise.models import Model

from models import SandboxMessage

from . import runtime
from .db import Conn

log = logging.getLogger(__name__)


# A verification code inside a message text, as app/identity/codes.py writes it ("验证码是 123456").
# The outbox lists it as a field of its own; it is not stored apart from the text (a separate
# bare parameter would reach SQL debug logs unredacted).
CODE_IN_TEXT = re.compile(r"验证码是 (\d{6})(?!\d)")


def code_in(text: str) -> str | None:
    """The verification code ``text`` carries, or None."""
    found = CODE_IN_TEXT.search(text)
    return found.group(1) if found else None


async def send(recipient: str, purpose: str, text: str, *, conn: Conn | None = None,
               params: dict[str, str] | None = None) -> None:
    """Send ``text`` (Simplified Chinese) to a phone number or email address, in ``conn``'s
    transaction when given. ``params`` are template values for providers that send by
    template (``{"code": "123456"}`` for verification codes)."""
    if runtime.settings().sandbox:
        await SandboxMessage.create(recipient=recipient, purpose=purpose, text=text, using_db=conn)
    else:
        from .messaging import outbox

        await outbox.enqueue(recipient, purpose, text, params=params, conn=conn)


def unsaved_message(recipient: str, purpose: str, text: str) -> Model:
    """The row ``send(recipient, purpose, text, conn=...)`` would write, not yet written: a
    ``SandboxMessage`` in sandbox mode, else a PENDING ``OutboundMessage`` due now. For a writer
    that inserts it as part of a larger statement (the money kernel); the delivery job sends it
    once that transaction committed."""
    if runtime.settings().sandbox:
        return SandboxMessage(recipient=recipient, purpose=purpose, text=text)
    from .messaging import outbox

    return outbox.new_message(recipient, purpose, text)


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
            "code": code_in(row.text),
            "sentAt": row.sent_at.isoformat(),
        }
        for row in rows
    ]
