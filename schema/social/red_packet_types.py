"""Red packet types, inputs and payloads."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from models.red_packets import RedPacket, RedPacketClaim
from resolvers import social_red_packets as resolvers

from ..context import Info
from ..errors import UserError
from ..money.types import AccountType
from ..node import Node, to_global_id
from ..scalars import Money


@strawberry.enum(name="RedPacketMode")
class RedPacketModeEnum(Enum):
    EVEN = "EVEN"
    RANDOM = "RANDOM"


@strawberry.enum(name="RedPacketStatus")
class RedPacketStatusEnum(Enum):
    OPEN = "OPEN"
    EMPTY = "EMPTY"
    EXPIRED = "EXPIRED"


@strawberry.type(name="RedPacketClaim")
class RedPacketClaimType:
    _model: strawberry.Private[RedPacketClaim]
    seq: int = strawberry.field(description="1 for the first claim, up to the packet's count.")
    amount: Money
    claimed_at: datetime

    @classmethod
    def from_model(cls, claim: RedPacketClaim) -> RedPacketClaimType:
        return cls(_model=claim, seq=claim.seq, amount=claim.amount, claimed_at=claim.created_at)

    @strawberry.field(description="The claimer's masked name.")
    async def claimer_name(self) -> str:
        return await resolvers.display_name(self._model.user_id)


@strawberry.type(name="RedPacket")
class RedPacketType(Node):
    _model: strawberry.Private[RedPacket]
    id: strawberry.ID
    packet_no: str = strawberry.field(description="What a claimer sends to claimRedPacket (the link).")
    mode: RedPacketModeEnum
    amount: Money
    count: int
    claimed_count: int
    claimed_amount: Money
    remaining_amount: Money
    refunded_amount: Money = strawberry.field(description="Returned to the sender at expiry.")
    status: RedPacketStatusEnum
    greeting: str | None
    for_one_person: bool = strawberry.field(description="Addressed to one person (else a group link).")
    created_at: datetime
    expires_at: datetime

    @classmethod
    def from_model(cls, packet: RedPacket) -> RedPacketType:
        return cls(
            _model=packet,
            id=to_global_id("RedPacket", packet.id),
            packet_no=packet.packet_no,
            mode=RedPacketModeEnum(packet.mode),
            amount=packet.amount,
            count=packet.count,
            claimed_count=packet.claimed_count,
            claimed_amount=packet.claimed_amount,
            remaining_amount=packet.amount - packet.claimed_amount - packet.refunded_amount,
            refunded_amount=packet.refunded_amount,
            status=RedPacketStatusEnum(packet.status),
            greeting=packet.greeting,
            for_one_person=packet.recipient_id is not None,
            created_at=packet.created_at,
            expires_at=packet.expires_at,
        )

    @strawberry.field(description="The sender's masked name.")
    async def sender_name(self) -> str:
        return await resolvers.display_name(self._model.sender_id)

    @strawberry.field(description="Claims in the order they were made.")
    async def claims(self) -> list[RedPacketClaimType]:
        return [RedPacketClaimType.from_model(c) for c in await resolvers.claims(self._model)]

    @strawberry.field(description="The viewer's own claim, if any.")
    async def my_claim(self, info: Info) -> RedPacketClaimType | None:
        claim = await resolvers.my_claim(info.context, self._model)
        return RedPacketClaimType.from_model(claim) if claim else None


@strawberry.input
class SendRedPacketInput:
    amount: Money = strawberry.field(description="The packet's total.")
    count: int = strawberry.field(description="Number of shares, 1-100.")
    mode: RedPacketModeEnum = strawberry.field(description="EVEN shares or RANDOM ones (double-mean method).")
    recipient: str | None = strawberry.field(
        default=None, description="Phone or account number of the one person it is for; omit for a group link."
    )
    greeting: str | None = None
    payment_password: str
    verification_code: str | None = None
    idempotency_key: str


@strawberry.input
class ClaimRedPacketInput:
    packet_no: str


@strawberry.type
class RedPacketPayload:
    red_packet: RedPacketType | None = None
    account: AccountType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ClaimRedPacketPayload:
    claim: RedPacketClaimType | None = None
    red_packet: RedPacketType | None = None
    account: AccountType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
