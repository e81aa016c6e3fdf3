"""Live red packets: each claim (and the expiry) is published after commit on the packet's
topic; a watcher gets the packet as it is now, then again after every change."""

from __future__ import annotations

from collections.abc import AsyncIterator

from models.red_packets import RedPacket, RedPacketClaim

from ..events.live import live_messages
from ..events.outbox import UnitOfWork


def packet_topic(packet_id: int) -> str:
    return f"red-packet:{packet_id}"


async def emit_claimed(uow: UnitOfWork, claim: RedPacketClaim) -> None:
    """Queue the claim for the packet's watchers (in the claim's transaction)."""
    await uow.emit(packet_topic(claim.packet_id), {"packetId": claim.packet_id, "claimId": claim.id})


async def emit_expired(uow: UnitOfWork, packet_id: int) -> None:
    """Queue the packet's expiry for its watchers (in the expiry's transaction)."""
    await uow.emit(packet_topic(packet_id), {"packetId": packet_id, "expired": True})


async def packet_states(packet_id: int) -> AsyncIterator[RedPacket]:
    """The packet as it is once the subscription is live (``live_messages``: nothing published
    after that point is missed), then the packet re-read after each claim or its expiry. Claims
    that commit together may show in one state; the last state always arrives."""
    async for _message in live_messages(packet_topic(packet_id)):
        packet = await RedPacket.get_or_none(id=packet_id)
        if packet is None:
            return
        yield packet
