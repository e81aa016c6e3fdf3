"""Red packets API: send, claim, read, and the sender's live claim list."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from app.red_packets.send import SendRequest
from resolvers import social_red_packets as resolvers

from ..context import Info
from ..errors import returns_payload
from ..money.types import AccountType
from ..node import register_node
from ..permissions import SIGNED_IN
from .red_packet_types import (
    ClaimRedPacketInput,
    ClaimRedPacketPayload,
    RedPacketClaimType,
    RedPacketPayload,
    RedPacketType,
    SendRedPacketInput,
)


@register_node("RedPacket")
async def _load_packet(info: Info, pk: int) -> RedPacketType | None:
    packet = await resolvers.packet_node(info.context, pk)
    return RedPacketType.from_model(packet) if packet else None


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=SIGNED_IN,
        description="A red packet by its number: a group link for anyone, else only its sender and recipient.",
    )
    async def red_packet(self, info: Info, packet_no: str) -> RedPacketType | None:
        packet = await resolvers.packet(info.context, packet_no)
        return RedPacketType.from_model(packet) if packet else None

    @strawberry.field(permission_classes=SIGNED_IN, description="The viewer's latest 50 red packets sent.")
    async def my_red_packets(self, info: Info) -> list[RedPacketType]:
        return [RedPacketType.from_model(p) for p in await resolvers.sent(info.context)]


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=SIGNED_IN,
        description="Send a red packet: the total is held from the wallet at once; unclaimed money returns after 24 h.",
    )
    @returns_payload(RedPacketPayload)
    async def send_red_packet(self, info: Info, input: SendRedPacketInput) -> RedPacketPayload:
        packet, result = await resolvers.send(
            info.context,
            SendRequest(
                amount=input.amount, count=input.count, mode=input.mode.value,
                payment_password=input.payment_password, idempotency_key=input.idempotency_key,
                recipient=input.recipient, greeting=input.greeting, verification_code=input.verification_code,
            ),
        )
        return RedPacketPayload(
            red_packet=RedPacketType.from_model(packet), account=AccountType.from_model(result.account, result.balance),
            errors=[],
        )

    @strawberry.mutation(permission_classes=SIGNED_IN, description="Claim one share (once per user).")
    @returns_payload(ClaimRedPacketPayload)
    async def claim_red_packet(self, info: Info, input: ClaimRedPacketInput) -> ClaimRedPacketPayload:
        claim, packet, wallet = await resolvers.claim(info.context, input.packet_no)
        return ClaimRedPacketPayload(
            claim=RedPacketClaimType.from_model(claim), red_packet=RedPacketType.from_model(packet),
            account=AccountType.from_model(wallet), errors=[],
        )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        permission_classes=SIGNED_IN,
        description="A packet the viewer sent: its state now, then again after every claim (the claim list live) and at expiry.",
    )
    async def red_packet_updates(self, info: Info, packet_no: str) -> AsyncGenerator[RedPacketType, None]:
        async for packet in resolvers.live_packet(info.context, packet_no):
            yield RedPacketType.from_model(packet)
