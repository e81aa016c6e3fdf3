"""Transaction filters and refund types."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from models import Refund
from resolvers import refunds as refund_resolvers

from ..errors import UserError
from ..money.types import TransactionStatusEnum, TransactionTypeEnum
from ..node import Node, to_global_id
from ..pagination import Connection
from ..scalars import Money

if TYPE_CHECKING:
    from ..money.types import TransactionType


@strawberry.enum(name="RefundReason")
class RefundReasonEnum(Enum):
    WRONG_AMOUNT = "WRONG_AMOUNT"
    WRONG_COUNTERPARTY = "WRONG_COUNTERPARTY"
    PROCESSING_ERROR = "PROCESSING_ERROR"


@strawberry.enum(name="RefundStatus")
class RefundStatusEnum(Enum):
    PENDING_REVIEW = "PENDING_REVIEW"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    COMPLETED = "COMPLETED"


@strawberry.input(description="All fields optional; the window is always clipped to the last three months.")
class TransactionFilter:
    from_: datetime | None = strawberry.field(
        default=None,
        name="from",
        description=(
            "Earliest creation time, inclusive. A value without an offset (or a bare date, read as 00:00)"
            " is China time (UTC+8); with an offset it is that instant."
        ),
    )
    to: datetime | None = strawberry.field(
        default=None,
        description="Latest creation time, inclusive; read like `from` (no offset: China time).",
    )
    types: list[TransactionTypeEnum] | None = None
    statuses: list[TransactionStatusEnum] | None = None
    min_amount: Money | None = None
    max_amount: Money | None = None
    transaction_no: str | None = None
    counterparty: str | None = strawberry.field(default=None, description="Matches counterparty name or account.")


@strawberry.type(name="Refund")
class RefundType(Node):
    _model: strawberry.Private[Refund]
    id: strawberry.ID
    refund_no: str
    amount: Money
    reason: RefundReasonEnum
    description: str | None
    status: RefundStatusEnum
    review_deadline: datetime = strawberry.field(
        description="Review must happen before this (3 business days after the request)."
    )
    review_note: str | None
    reviewed_at: datetime | None
    completed_at: datetime | None
    created_at: datetime
    overdue: bool = strawberry.field(description="Still pending after its review deadline.")

    @classmethod
    def from_model(cls, refund: Refund) -> RefundType:
        return cls(
            _model=refund,
            id=to_global_id("Refund", refund.id),
            refund_no=refund.refund_no,
            amount=refund.amount,
            reason=RefundReasonEnum(refund.reason),
            description=refund.description,
            status=RefundStatusEnum(refund.status),
            review_deadline=refund.review_deadline,
            review_note=refund.review_note,
            reviewed_at=refund.reviewed_at,
            completed_at=refund.completed_at,
            created_at=refund.created_at,
            overdue=refund.overdue,
        )

    @strawberry.field
    async def transaction(
        self,
    ) -> Annotated[TransactionType, strawberry.lazy("schema.money.types")]:
        from ..money.types import TransactionType

        return TransactionType.from_model(await refund_resolvers.refund_transaction(self._model))

    @strawberry.field(description="The REFUND transaction returning the money, once approved.")
    async def refund_transaction(
        self,
    ) -> Annotated[TransactionType, strawberry.lazy("schema.money.types")] | None:
        from ..money.types import TransactionType

        tx = await refund_resolvers.refund_paid_by(self._model)
        return TransactionType.from_model(tx) if tx else None


RefundConnection = Connection[RefundType]


@strawberry.input
class RequestRefundInput:
    transaction_no: str
    amount: Money | None = strawberry.field(default=None, description="Defaults to all that is still refundable.")
    reason: RefundReasonEnum
    description: str | None = None


@strawberry.input
class ReviewRefundInput:
    refund_id: strawberry.ID
    approve: bool
    note: str | None = None


@strawberry.type
class RefundPayload:
    refund: RefundType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
