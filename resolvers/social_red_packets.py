"""Red packet resolvers: who may call, input to service call, nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator

from app.errors import DomainError, ErrorCode
from app.ledger.accounts import wallet_of
from app.ledger.kernel import MoneyResult
from app.red_packets import queries
from app.red_packets.claim import claim_red_packet
from app.red_packets.live import packet_states
from app.red_packets.send import SendRequest, send_red_packet
from models import Account
from models.red_packets import RedPacket, RedPacketClaim

from . import loaders
from .context import RequestContext


async def send(ctx: RequestContext, request: SendRequest) -> tuple[RedPacket, MoneyResult]:
    return await send_red_packet(await ctx.require_viewer(), request)


async def claim(ctx: RequestContext, packet_no: str) -> tuple[RedPacketClaim, RedPacket, Account]:
    viewer = await ctx.require_viewer()
    made = await claim_red_packet(viewer, packet_no)
    return made, await RedPacket.get(id=made.packet_id), await wallet_of(viewer.id)


async def packet(ctx: RequestContext, packet_no: str) -> RedPacket | None:
    return await queries.packet_by_no(await ctx.require_viewer(), packet_no)


async def packet_node(ctx: RequestContext, pk: int) -> RedPacket | None:
    return await queries.visible_packet(await ctx.viewer(), pk)


async def sent(ctx: RequestContext) -> list[RedPacket]:
    return await queries.sent_by(await ctx.require_viewer())


async def claims(packet: RedPacket) -> list[RedPacketClaim]:
    return await queries.claims_of(packet)


async def my_claim(ctx: RequestContext, packet: RedPacket) -> RedPacketClaim | None:
    viewer = await ctx.viewer()
    return await queries.claim_of(packet, viewer) if viewer else None


async def display_name(user_id: int) -> str:
    """A sender's or claimer's masked name (users loader: one query for all claims of a page)."""
    return queries.name_shown(await loaders.current().users.load(user_id))


async def live_packet(ctx: RequestContext, packet_no: str) -> AsyncIterator[RedPacket]:
    """A packet the viewer sent, now and after every claim; NOT_FOUND for anyone else's."""
    viewer = await ctx.require_viewer()
    found = await queries.packet_by_no(viewer, packet_no)
    if found is None or found.sender_id != viewer.id:
        raise DomainError(ErrorCode.NOT_FOUND, "红包不存在", ("packetNo",))
    async for state in packet_states(found.id):
        yield state
