"""Risk alerts, the audit trail and ledger reconciliation, as staff see them."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from app.ledger.reconcile import Report
from models import AuditRecord, User
from models.risk import RiskAlert
from resolvers import risk as risk_resolvers

from ..errors import UserError
from ..money.types import AccountStatusEnum
from ..node import Node, to_global_id
from ..pagination import Connection

if TYPE_CHECKING:
    from ..identity.types import UserType
    from ..money.types import TransactionType


@strawberry.enum(name="AlertLevel")
class AlertLevelEnum(Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


@strawberry.enum(name="AlertStatus")
class AlertStatusEnum(Enum):
    OPEN = "OPEN"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    CLOSED = "CLOSED"


def _user_type(user: User | None) -> UserType | None:
    from ..identity.types import UserType

    return UserType.from_model(user) if user is not None else None


@strawberry.type(name="RiskAlert")
class RiskAlertType(Node):
    _model: strawberry.Private[RiskAlert]
    id: strawberry.ID
    type: str = strawberry.field(description="Machine-readable rule name, e.g. VELOCITY or LARGE_AMOUNT.")
    level: AlertLevelEnum
    status: AlertStatusEnum
    message: str
    note: str | None = strawberry.field(description="What the officer who handled it wrote.")
    handled_at: datetime | None
    created_at: datetime
    event_id: str | None = strawberry.field(
        default=None,
        description="On riskAlertRaised pushes: the event cursor to pass as `after` when resubscribing.",
    )

    @classmethod
    def from_model(cls, alert: RiskAlert, event_id: int | None = None) -> RiskAlertType:
        return cls(
            _model=alert,
            id=to_global_id("RiskAlert", alert.id),
            type=alert.type,
            level=AlertLevelEnum(alert.level),
            status=AlertStatusEnum(alert.status),
            message=alert.message,
            note=alert.note,
            handled_at=alert.handled_at,
            created_at=alert.created_at,
            event_id=str(event_id) if event_id is not None else None,
        )

    @strawberry.field(description="Who or what is affected, e.g. one user, one merchant, the platform.")
    async def scope(self) -> str:
        return await risk_resolvers.alert_scope(self._model)

    @strawberry.field
    async def user(self) -> Annotated[UserType, strawberry.lazy("schema.identity.types")] | None:
        return _user_type(await risk_resolvers.alert_user(self._model))

    @strawberry.field
    async def transaction(self) -> Annotated[TransactionType, strawberry.lazy("schema.money.types")] | None:
        from ..money.types import TransactionType

        tx = await risk_resolvers.alert_transaction(self._model)
        return TransactionType.from_model(tx) if tx is not None else None


RiskAlertConnection = Connection[RiskAlertType]


@strawberry.type(name="AuditRecord")
class AuditRecordType(Node):
    _model: strawberry.Private[AuditRecord]
    id: strawberry.ID
    action: str = strawberry.field(description="What was done, e.g. ACCOUNT_STATUS_SET.")
    ip: str | None = strawberry.field(description="Address the action came from, when known.")
    details: JSON | None = strawberry.field(description="Action-specific facts; never secrets.")
    created_at: datetime

    @classmethod
    def from_model(cls, record: AuditRecord) -> AuditRecordType:
        return cls(
            _model=record,
            id=to_global_id("AuditRecord", record.id),
            action=record.action,
            ip=record.ip,
            details=record.details,
            created_at=record.created_at,
        )

    @strawberry.field(description="Who did it (null for the platform itself, e.g. a scheduled job).")
    async def actor(self) -> Annotated[UserType, strawberry.lazy("schema.identity.types")] | None:
        return _user_type(await risk_resolvers.user_by_id(self._model.actor_id))

    @strawberry.field(description="Whom it concerns.")
    async def subject_user(self) -> Annotated[UserType, strawberry.lazy("schema.identity.types")] | None:
        return _user_type(await risk_resolvers.user_by_id(self._model.subject_user_id))


AuditRecordConnection = Connection[AuditRecordType]


@strawberry.type
class ReconciliationFigure:
    name: str
    value: str = strawberry.field(description="A whole number (a count or an amount in fen), as text.")


@strawberry.type
class ReconciliationReport:
    clean: bool
    breaks: list[str]
    figures: list[ReconciliationFigure]

    @classmethod
    def from_report(cls, report: Report) -> ReconciliationReport:
        return cls(
            clean=report.clean,
            breaks=list(report.breaks),
            figures=[ReconciliationFigure(name=k, value=str(v)) for k, v in report.figures.items()],
        )


@strawberry.input
class AcknowledgeRiskAlertInput:
    alert_id: strawberry.ID
    close: bool | None = strawberry.field(default=None, description="Close the alert (a note is then required).")
    note: str | None = None


@strawberry.input
class SetAccountStatusInput:
    user_id: strawberry.ID
    status: AccountStatusEnum
    reason: str


@strawberry.type
class RiskAlertPayload:
    alert: RiskAlertType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReconciliationPayload:
    report: ReconciliationReport | None = None
    alert: RiskAlertType | None = strawberry.field(default=None, description="Raised when the ledger has breaks.")
    errors: list[UserError] = strawberry.field(default_factory=list)
