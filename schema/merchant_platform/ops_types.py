"""Types of webhooks, the events feed, statements and payouts (contract section "Added 2026-11-30")."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.fx.currencies import format_minor
from models import Merchant
from models.merchant_platform_events import MerchantEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from models.merchant_platform_money import MerchantStatement, Payout
from resolvers import merchant_platform_ops as ops

from ..errors import UserError
from ..money.types import BankCardType, TransactionType
from ..node import Node, to_global_id
from ..pagination import Connection, PageInfo
from ..scalars import Money

if TYPE_CHECKING:
    from ..fx.types import CurrencyEnum


@strawberry.enum(name="WebhookEventType")
class WebhookEventTypeEnum(Enum):
    ORDER_PAID = "ORDER_PAID"
    ORDER_CLOSED = "ORDER_CLOSED"
    REFUND_SUCCEEDED = "REFUND_SUCCEEDED"
    REFUND_FAILED = "REFUND_FAILED"
    PAYOUT_PAID = "PAYOUT_PAID"
    PAYOUT_FAILED = "PAYOUT_FAILED"


@strawberry.enum(name="WebhookDeliveryStatus")
class WebhookDeliveryStatusEnum(Enum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@strawberry.enum(name="PayoutStatus")
class PayoutStatusEnum(Enum):
    PROCESSING = "PROCESSING"
    PAID = "PAID"
    FAILED = "FAILED"


@strawberry.type(name="WebhookEndpoint")
class WebhookEndpointType(Node):
    id: strawberry.ID
    url: str
    events: list[WebhookEventTypeEnum]
    enabled: bool
    disabled_at: datetime | None = strawberry.field(
        description="When the endpoint was disabled after failing for 3 days (null while enabled)."
    )
    created_at: datetime

    @classmethod
    def from_model(cls, endpoint: WebhookEndpoint) -> WebhookEndpointType:
        return cls(
            id=to_global_id("WebhookEndpoint", endpoint.id),
            url=endpoint.url,
            events=[WebhookEventTypeEnum(e) for e in endpoint.events],
            enabled=endpoint.enabled,
            disabled_at=endpoint.disabled_at,
            created_at=endpoint.created_at,
        )


@strawberry.type(name="WebhookAttempt", description="One HTTP attempt of a delivery.")
class WebhookAttemptType:
    number: int
    started_at: datetime
    duration_ms: int
    response_status: int | None = strawberry.field(description="Null when no answer came (refused, timeout).")
    error: str | None
    succeeded: bool

    @classmethod
    def from_model(cls, attempt: WebhookAttempt) -> WebhookAttemptType:
        return cls(
            number=attempt.number,
            started_at=attempt.started_at,
            duration_ms=attempt.duration_ms,
            response_status=attempt.response_status,
            error=attempt.error,
            succeeded=attempt.succeeded,
        )


@strawberry.type(name="WebhookDelivery")
class WebhookDeliveryType(Node):
    _model: strawberry.Private[WebhookDelivery]
    id: strawberry.ID
    event_id: str = strawberry.field(
        description="The event's id; the same in every attempt and replay (receivers de-duplicate on it)."
    )
    event_type: WebhookEventTypeEnum
    status: WebhookDeliveryStatusEnum
    attempts: int
    last_response_status: int | None
    next_attempt_at: datetime | None
    payload: str = strawberry.field(description="The JSON body sent.")
    created_at: datetime

    @classmethod
    def from_model(cls, delivery: WebhookDelivery) -> WebhookDeliveryType:
        event: MerchantEvent = delivery.event  # loaded with select_related
        return cls(
            _model=delivery,
            id=to_global_id("WebhookDelivery", delivery.id),
            event_id=event.event_id,
            event_type=WebhookEventTypeEnum(event.type),
            status=WebhookDeliveryStatusEnum(delivery.status),
            attempts=delivery.attempts,
            last_response_status=delivery.last_response_status,
            next_attempt_at=delivery.next_attempt_at,
            payload=event.payload,
            created_at=delivery.created_at,
        )

    @strawberry.field
    async def endpoint(self) -> WebhookEndpointType:
        return WebhookEndpointType.from_model(await ops.endpoint_of(self._model))

    @strawberry.field(description="Every attempt with its status and timing, first first.")
    async def attempt_log(self) -> list[WebhookAttemptType]:
        return [WebhookAttemptType.from_model(a) for a in await ops.attempts_of(self._model)]


WebhookDeliveryConnection = Connection[WebhookDeliveryType]


@strawberry.type(name="MerchantEvent")
class MerchantEventType:
    id: str = strawberry.field(description="Stable event id (the webhook eventId).")
    type: WebhookEventTypeEnum
    payload: str = strawberry.field(description="The same JSON as the webhook body.")
    created_at: datetime

    @classmethod
    def from_model(cls, event: MerchantEvent) -> MerchantEventType:
        return cls(id=event.event_id, type=WebhookEventTypeEnum(event.type), payload=event.payload,
                   created_at=event.created_at)


@strawberry.type(name="MerchantEventEdge")
class MerchantEventEdge:
    cursor: str
    node: MerchantEventType


@strawberry.type(name="MerchantEventConnection")
class MerchantEventConnection:
    edges: list[MerchantEventEdge]
    page_info: PageInfo


@strawberry.type(name="MerchantStatement", description="One China calendar day of a merchant's money (对账单).")
class MerchantStatementType:
    _model: strawberry.Private[MerchantStatement]
    _merchant: strawberry.Private[Merchant]
    date: str = strawberry.field(description="YYYY-MM-DD, China time.")
    order_count: int
    gross_amount: Money
    refund_amount: Money
    fee_amount: Money = strawberry.field(description="Fees of the orders paid that day.")
    net_amount: Money = strawberry.field(description="gross - refunds - fees.")
    payout_amount: Money = strawberry.field(description="Paid out to the owner's card that day.")
    ledger_change: Money = strawberry.field(
        description="The day's net change of the merchant account (the sum of the CSV rows)."
    )

    @classmethod
    def from_model(cls, statement: MerchantStatement, merchant: Merchant) -> MerchantStatementType:
        return cls(
            _model=statement,
            _merchant=merchant,
            date=statement.day,
            order_count=statement.order_count,
            gross_amount=statement.gross,
            refund_amount=statement.refunds,
            fee_amount=statement.fees,
            net_amount=statement.gross - statement.refunds - statement.fees,
            payout_amount=statement.payouts,
            ledger_change=statement.ledger_change,
        )

    @strawberry.field(description="The merchant account's currency: the Money amounts above are in its minor unit.")
    def currency(self) -> Annotated[CurrencyEnum, strawberry.lazy("schema.fx.types")]:
        from ..fx.types import CurrencyEnum

        return CurrencyEnum(self._model.currency)

    @strawberry.field(description='Orders of the day in the merchant account\'s currency ("14.08" USD, "1500" JPY).')
    def gross_in_currency(self) -> str:
        return format_minor(self._model.gross, self._model.currency)

    @strawberry.field(description="Refunds of the day in the merchant account's currency.")
    def refund_in_currency(self) -> str:
        return format_minor(self._model.refunds, self._model.currency)

    @strawberry.field(description="The day's net change of the merchant account, in its currency.")
    def ledger_change_in_currency(self) -> str:
        return format_minor(self._model.ledger_change, self._model.currency)

    @strawberry.field(description="What payers paid for the day's orders, in CNY (cross-border: at each quote).")
    def gross_cny(self) -> Money:
        return self._model.gross_cny

    @strawberry.field(description="What payers got back that day, in CNY.")
    def refund_cny(self) -> Money:
        return self._model.refunds_cny

    @strawberry.field(
        description="Download of the CSV (UTF-8 with BOM; one row per order, refund, fee and payout, TOTAL last); "
        "signed, valid 10 minutes, no token needed."
    )
    def csv_url(self) -> str:
        return ops.statement_csv_url(self._merchant, self._model)


@strawberry.type(name="Payout")
class PayoutType(Node):
    _model: strawberry.Private[Payout]
    id: strawberry.ID
    amount: Money
    fee: Money
    status: PayoutStatusEnum
    expected_arrival_at: datetime | None
    paid_at: datetime | None
    failure_reason: str | None
    created_at: datetime

    @classmethod
    def from_model(cls, payout: Payout) -> PayoutType:
        return cls(
            _model=payout,
            id=to_global_id("Payout", payout.id),
            amount=payout.amount,
            fee=payout.fee,
            status=PayoutStatusEnum(payout.status),
            expected_arrival_at=payout.expected_arrival_at,
            paid_at=payout.paid_at,
            failure_reason=payout.failure_reason,
            created_at=payout.created_at,
        )

    @strawberry.field
    async def bank_card(self) -> BankCardType | None:
        found = await ops.payout_card(self._model)
        return BankCardType.from_model(*found) if found else None

    @strawberry.field
    async def transaction(self) -> TransactionType | None:
        return TransactionType.from_model(await ops.payout_transaction(self._model))


PayoutConnection = Connection[PayoutType]


@strawberry.input
class CreateWebhookEndpointInput:
    merchant_no: str | None = None
    url: str
    events: list[WebhookEventTypeEnum]


@strawberry.type
class CreateWebhookEndpointPayload:
    endpoint: WebhookEndpointType | None = None
    secret: str | None = strawberry.field(default=None, description="HMAC-SHA256 signing secret, shown once.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DeleteWebhookEndpointInput:
    endpoint_id: strawberry.ID


@strawberry.input
class ReplayWebhookDeliveryInput:
    delivery_id: strawberry.ID


@strawberry.type
class WebhookDeliveryPayload:
    delivery: WebhookDeliveryType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RequestPayoutInput:
    merchant_no: str
    amount: Money
    bank_card_id: strawberry.ID
    payment_password: str
    idempotency_key: str


@strawberry.type
class PayoutPayload:
    payout: PayoutType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
