"""Live requests to pay: changes are published after commit on the request's topic (the
requester watches who paid) and on each payer's inbox topic (new requests pushed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from ..events.live import live_messages
from ..events.outbox import UnitOfWork


def request_topic(request_id: int) -> str:
    return f"pay-request:{request_id}"


def inbox_topic(user_id: int) -> str:
    return f"pay-request-inbox:{user_id}"


async def emit_changed(uow: UnitOfWork, request_id: int, payer_ids: list[int]) -> None:
    """Queue the change for the requester's watchers and the inboxes of ``payer_ids``."""
    await uow.emit(request_topic(request_id), {"payRequestId": request_id})
    for payer_id in payer_ids:
        await uow.emit(inbox_topic(payer_id), {"payRequestId": request_id})


async def changes(topic: str) -> AsyncIterator[dict[str, Any] | None]:
    """None once live (read the current state then), then each change."""
    async for message in live_messages(topic):
        yield message
