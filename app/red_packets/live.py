"""Live claims of a red packet: each claim is published after commit on the packet's topic."""

from __future__ import annotations

from collections.abc import AsyncIterator

from models.red_packets import RedPacketClaim

from ..events import stream
from ..events.outbox import UnitOfWork


def packet_topic(packet_id: int) -> str:
    return f"red-packet:{packet_id}"


async def emit_claimed(uow: UnitOfWork, claim: RedPacketClaim) -> None:
    """Queue the claim for the packet's watchers (in the claim's transaction)."""
    await uow.emit(packet_topic(claim.packet_id), {"packetId": claim.packet_id, "claimId": claim.id})


async def new_claims(packet_id: int) -> AsyncIterator[RedPacketClaim]:
    """Claims of the packet from now on, each once (the outbox may deliver twice)."""
    seen: set[int] = set()
    async for event in stream.subscribe(packet_topic(packet_id)):
        claim_id = event.get("claimId")
        if not isinstance(claim_id, int) or claim_id in seen:
            continue
        seen.add(claim_id)
        claim = await RedPacketClaim.get_or_none(id=claim_id, packet_id=packet_id)
        if claim is not None:
            yield claim
