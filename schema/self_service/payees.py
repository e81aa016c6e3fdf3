"""Saved payees and recent recipients for the transfer screen."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.errors import DomainError, ErrorCode, input_field
from app.payees import PayeeView
from app.payees import RecentRecipient as Recent
from resolvers import payees as resolve

from ..context import Info
from ..errors import OkPayload, UserError, returns_payload
from ..node import from_global_id, to_global_id
from ..permissions import SIGNED_IN
from ..scalars import Money


@strawberry.type
class Payee:
    id: strawberry.ID
    alias: str | None
    name: str = strawberry.field(description="Masked real name (masked phone if none).")
    phone: str | None = strawberry.field(description="Masked; null once the recipient closed the account.")
    account_no: str = strawberry.field(description="The wallet account number: use it as the transfer's recipient.")
    closed: bool
    created_at: datetime

    @classmethod
    def from_domain(cls, p: PayeeView) -> Payee:
        return cls(id=strawberry.ID(to_global_id("Payee", p.id)), alias=p.alias, name=p.name, phone=p.masked_phone,
                   account_no=p.account_no, closed=p.closed, created_at=p.created_at)


@strawberry.type
class RecentRecipient:
    name: str
    phone: str | None = strawberry.field(description="Masked.")
    account_no: str
    last_amount: Money
    last_transferred_at: datetime

    @classmethod
    def from_domain(cls, r: Recent) -> RecentRecipient:
        return cls(name=r.name, phone=r.masked_phone, account_no=r.account_no, last_amount=Money(r.last_amount),
                   last_transferred_at=r.last_transferred_at)


@strawberry.input
class AddPayeeInput:
    recipient: str = strawberry.field(description="11-digit mobile number or 16-digit account number.")
    alias: str | None = None


@strawberry.input
class RemovePayeeInput:
    payee_id: strawberry.ID


@strawberry.type
class PayeePayload:
    payee: Payee | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PayeeQuery:
    @strawberry.field(permission_classes=SIGNED_IN, description="The viewer's saved payees, newest first.")
    async def payees(self, info: Info) -> list[Payee]:
        return [Payee.from_domain(p) for p in await resolve.my_payees(info.context)]

    @strawberry.field(
        permission_classes=SIGNED_IN,
        description="Distinct recipients of the viewer's succeeded transfers, newest first (1..20).",
    )
    async def recent_recipients(self, info: Info, first: int = 10) -> list[RecentRecipient]:
        return [RecentRecipient.from_domain(r) for r in await resolve.recent(info.context, first)]


@strawberry.type
class PayeeMutation:
    @strawberry.mutation(permission_classes=SIGNED_IN, description="Save a transfer recipient (idempotent per recipient).")
    @returns_payload(PayeePayload)
    async def add_payee(self, info: Info, input: AddPayeeInput) -> PayeePayload:
        return PayeePayload(payee=Payee.from_domain(await resolve.add(info.context, input.recipient, input.alias)))

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(OkPayload, ok=False)
    async def remove_payee(self, info: Info, input: RemovePayeeInput) -> OkPayload:
        payee_id = from_global_id(input.payee_id, "Payee")
        if payee_id is None:
            raise DomainError(ErrorCode.NOT_FOUND, "收款人不存在", input_field("payeeId"))
        await resolve.remove(info.context, payee_id)
        return OkPayload(ok=True, errors=[])
