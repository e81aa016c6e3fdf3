"""Request-to-pay (AA 收款) types, inputs and payloads."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from models.pay_requests import PayRequest, PayRequestItem
from resolvers import social_pay_requests as resolvers

from ..context import Info
from ..errors import UserError
from ..money.types import AccountType, TransactionType
from ..node import Node, to_global_id
from ..scalars import Money


@strawberry.enum(name="PayRequestStatus")
class PayRequestStatusEnum(Enum):
    OPEN = "OPEN"
    SETTLED = "SETTLED"
    EXPIRED = "EXPIRED"


@strawberry.enum(name="PayRequestItemStatus")
class PayRequestItemStatusEnum(Enum):
    PENDING = "PENDING"
    PAID = "PAID"
    DECLINED = "DECLINED"
    EXPIRED = "EXPIRED"


@strawberry.type(name="PayRequestItem")
class PayRequestItemType:
    _model: strawberry.Private[PayRequestItem]
    id: strawberry.ID
    amount: Money
    status: PayRequestItemStatusEnum
    settled_at: datetime | None

    @classmethod
    def from_model(cls, item: PayRequestItem) -> PayRequestItemType:
        return cls(
            _model=item, id=to_global_id("PayRequestItem", item.id), amount=item.amount,
            status=PayRequestItemStatusEnum(item.status), settled_at=item.settled_at,
        )

    @strawberry.field(description="The payer's masked name.")
    async def payer_name(self) -> str:
        return await resolvers.display_name(self._model.payer_id)

    @strawberry.field
    async def request(self) -> PayRequestType:
        return PayRequestType.from_model(await resolvers.request_of(self._model))


@strawberry.type(name="PayRequest")
class PayRequestType(Node):
    _model: strawberry.Private[PayRequest]
    id: strawberry.ID
    request_no: str
    amount: Money = strawberry.field(description="The sum of all parts.")
    note: str | None
    status: PayRequestStatusEnum
    created_at: datetime
    expires_at: datetime

    @classmethod
    def from_model(cls, request: PayRequest) -> PayRequestType:
        return cls(
            _model=request, id=to_global_id("PayRequest", request.id), request_no=request.request_no,
            amount=request.amount, note=request.note, status=PayRequestStatusEnum(request.status),
            created_at=request.created_at, expires_at=request.expires_at,
        )

    @strawberry.field(description="The requester's masked name.")
    async def requester_name(self) -> str:
        return await resolvers.display_name(self._model.requester_id)

    @strawberry.field(description="Every part for the requester; a payer sees only their own.")
    async def items(self, info: Info) -> list[PayRequestItemType]:
        return [PayRequestItemType.from_model(i) for i in await resolvers.items(info.context, self._model)]


@strawberry.input
class PayerPartInput:
    recipient: str = strawberry.field(description="The payer's phone or account number.")
    amount: Money | None = strawberry.field(default=None, description="Omit when splitting a total.")


@strawberry.input
class RequestPaymentInput:
    payers: list[PayerPartInput]
    total: Money | None = strawberry.field(
        default=None,
        description="Split evenly among the payers (remainder fen to the first ones listed); omit for fixed amounts.",
    )
    note: str | None = None


@strawberry.input
class PayPayRequestInput:
    item_id: strawberry.ID
    payment_password: str
    verification_code: str | None = None
    idempotency_key: str


@strawberry.input
class DeclinePayRequestInput:
    item_id: strawberry.ID


@strawberry.type
class PayRequestPayload:
    pay_request: PayRequestType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PayRequestItemPayload:
    item: PayRequestItemType | None = None
    transaction: TransactionType | None = None
    account: AccountType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
