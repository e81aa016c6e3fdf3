"""Requests to pay API: ask, pay, decline, read, and both sides live."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from app.pay_requests.create import NewRequest, PayerPart
from app.pay_requests.settle import PayPart
from resolvers import social_pay_requests as resolvers

from ..context import Info
from ..errors import returns_payload
from ..money.types import AccountType, TransactionType
from ..node import from_global_id, register_node
from ..permissions import SIGNED_IN
from .pay_request_types import (
    DeclinePayRequestInput,
    PayPayRequestInput,
    PayRequestItemPayload,
    PayRequestItemStatusEnum,
    PayRequestItemType,
    PayRequestPayload,
    PayRequestType,
    RequestPaymentInput,
)


@register_node("PayRequest")
async def _load_request(info: Info, pk: int) -> PayRequestType | None:
    request = await resolvers.request_node(info.context, pk)
    return PayRequestType.from_model(request) if request else None


@strawberry.type
class Query:
    @strawberry.field(permission_classes=SIGNED_IN, description="A request the viewer made or is asked to pay.")
    async def pay_request(self, info: Info, request_no: str) -> PayRequestType | None:
        found = await resolvers.by_no(info.context, request_no)
        return PayRequestType.from_model(found) if found else None

    @strawberry.field(permission_classes=SIGNED_IN, description="The viewer's latest 50 requests to pay.")
    async def my_pay_requests(self, info: Info) -> list[PayRequestType]:
        return [PayRequestType.from_model(r) for r in await resolvers.sent(info.context)]

    @strawberry.field(
        permission_classes=SIGNED_IN, description="Parts the viewer is asked to pay (PENDING unless a status is given)."
    )
    async def pay_requests_to_me(
        self, info: Info, status: PayRequestItemStatusEnum | None = PayRequestItemStatusEnum.PENDING
    ) -> list[PayRequestItemType]:
        items = await resolvers.inbox(info.context, status.value if status else None)
        return [PayRequestItemType.from_model(i) for i in items]


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=SIGNED_IN,
        description="Ask one or more people for money (fixed amounts, or an even split of a total); pushed to each payer.",
    )
    @returns_payload(PayRequestPayload)
    async def request_payment(self, info: Info, input: RequestPaymentInput) -> PayRequestPayload:
        made = await resolvers.create(
            info.context,
            NewRequest(
                payers=[PayerPart(recipient=p.recipient, amount=p.amount) for p in input.payers],
                total=input.total, note=input.note,
            ),
        )
        return PayRequestPayload(pay_request=PayRequestType.from_model(made), errors=[])

    @strawberry.mutation(permission_classes=SIGNED_IN, description="Pay one's part: a transfer linked to the request.")
    @returns_payload(PayRequestItemPayload)
    async def pay_pay_request(self, info: Info, input: PayPayRequestInput) -> PayRequestItemPayload:
        item, result = await resolvers.pay(
            info.context,
            PayPart(item_id=from_global_id(input.item_id, "PayRequestItem"), payment_password=input.payment_password,
                    idempotency_key=input.idempotency_key, verification_code=input.verification_code),
        )
        return PayRequestItemPayload(
            item=PayRequestItemType.from_model(item), transaction=TransactionType.from_model(result.transaction),
            account=AccountType.from_model(result.account, result.balance), errors=[],
        )

    @strawberry.mutation(permission_classes=SIGNED_IN, description="Decline one's part.")
    @returns_payload(PayRequestItemPayload)
    async def decline_pay_request(self, info: Info, input: DeclinePayRequestInput) -> PayRequestItemPayload:
        item = await resolvers.decline(info.context, from_global_id(input.item_id, "PayRequestItem"))
        return PayRequestItemPayload(item=PayRequestItemType.from_model(item), errors=[])


@strawberry.type
class Subscription:
    @strawberry.subscription(
        permission_classes=SIGNED_IN, description="A request the viewer made: now, then after every payment or decline."
    )
    async def pay_request_updates(self, info: Info, request_no: str) -> AsyncGenerator[PayRequestType, None]:
        async for request in resolvers.live_request(info.context, request_no):
            yield PayRequestType.from_model(request)

    @strawberry.subscription(
        permission_classes=SIGNED_IN,
        description="The viewer's pending parts to pay: now, then again whenever a request arrives or is settled.",
    )
    async def pay_requests_inbox(self, info: Info) -> AsyncGenerator[list[PayRequestItemType], None]:
        async for items in resolvers.live_inbox(info.context):
            yield [PayRequestItemType.from_model(i) for i in items]
