"""Calling a bank or provider: with a timeout, and never letting an unknown outcome pass as an answer.

``call`` returns the channel's result, or ``UNKNOWN`` when the call raised or did not
answer within ``FENPAY_CHANNEL_TIMEOUT_SECONDS``: the channel may have acted or not, so
the caller leaves the movement PROCESSING (money held where it was held) and the
recovery job (app/channels/recovery.py) later asks the channel with ``query``.
Never call this inside a database transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from .. import runtime
from .base import UNKNOWN, ChannelResult

log = logging.getLogger(__name__)

UNKNOWN_MESSAGE = "渠道暂未确认结果，处理中"


def unknown(reference: str) -> ChannelResult:
    return ChannelResult(UNKNOWN, reference, message=UNKNOWN_MESSAGE)


async def call(request: Callable[[], Awaitable[ChannelResult]], reference: str, what: str) -> ChannelResult:
    """Run ``request`` (one channel operation for ``reference``; ``what`` names it in the log)."""
    try:
        return await asyncio.wait_for(request(), runtime.settings().channel_timeout_seconds)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # timeout, connection error, adapter fault: the outcome is unknown
        log.warning("%s for %s: no answer (%s); left PROCESSING for recovery", what, reference, type(exc).__name__)
        return unknown(reference)


def is_final(result: ChannelResult) -> bool:
    """True when the channel said what happened (anything but UNKNOWN)."""
    return result.status != UNKNOWN
