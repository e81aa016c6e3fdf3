"""Reading red packets: who may see a packet and its claims."""

from __future__ import annotations

from models import User
from models.red_packets import RedPacket, RedPacketClaim

from ..masking import mask_phone
from ..payments.parties import person_party

RECENT = 50


async def packet_by_no(viewer: User, packet_no: str) -> RedPacket | None:
    """A packet the viewer may see: a group link (anyone holding its number), or one sent by
    or addressed to the viewer. None otherwise."""
    packet = await RedPacket.get_or_none(packet_no=(packet_no or "").strip())
    if packet is None or not may_see(viewer, packet):
        return None
    return packet


async def visible_packet(viewer: User | None, packet_id: int) -> RedPacket | None:
    """A packet by its row id (the ``node`` field): only its sender, its recipient or one who
    claimed from it. Unlike the packet number, a row id is guessable, so holding it proves no
    link was shared: a group packet is not shown to everyone here. None otherwise."""
    packet = await RedPacket.get_or_none(id=packet_id)
    if viewer is None or packet is None:
        return None
    if viewer.id in (packet.sender_id, packet.recipient_id):
        return packet
    return packet if await RedPacketClaim.filter(packet_id=packet.id, user_id=viewer.id).exists() else None


def may_see(viewer: User, packet: RedPacket) -> bool:
    return packet.recipient_id is None or viewer.id in (packet.sender_id, packet.recipient_id)


async def sent_by(user: User) -> list[RedPacket]:
    """The user's latest packets, newest first."""
    return await RedPacket.filter(sender_id=user.id).order_by("-id").limit(RECENT)


async def claims_of(packet: RedPacket) -> list[RedPacketClaim]:
    return await RedPacketClaim.filter(packet_id=packet.id).order_by("seq")


async def claim_of(packet: RedPacket, user: User) -> RedPacketClaim | None:
    return await RedPacketClaim.get_or_none(packet_id=packet.id, user_id=user.id)


def name_shown(user: User | None) -> str:
    """How a sender or claimer is shown to others: masked real name, else masked phone (None:
    a user that does not exist)."""
    return person_party(user).name if user else mask_phone("")
