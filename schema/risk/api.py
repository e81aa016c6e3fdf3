"""Risk and compliance: alerts (list, handle, live), account status, audit trail,
reconciliation on demand, legal documents."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from resolvers import messaging as messaging_resolvers
from resolvers import risk as risk_resolvers
from resolvers import risk_compliance

from ..context import Info
from ..errors import returns_payload
from ..identity.payloads import UserPayload
from ..node import from_global_id, register_node
from ..pagination import to_connection
from ..permissions import ADMINS, RISK_STAFF, SIGNED_IN, STAFF
from .compliance import LegalDocumentType
from .messaging import UndeliveredMessageType
from .types import (
    AcknowledgeRiskAlertInput,
    AlertStatusEnum,
    AuditRecordConnection,
    AuditRecordType,
    ReconciliationPayload,
    ReconciliationReport,
    RiskAlertConnection,
    RiskAlertPayload,
    RiskAlertType,
    SetAccountStatusInput,
)


@register_node("RiskAlert")
async def _load_alert(info: Info, pk: int) -> RiskAlertType | None:
    alert = await risk_resolvers.alert_for_staff(info.context, pk)
    return RiskAlertType.from_model(alert) if alert else None


@register_node("AuditRecord")
async def _load_audit_record(info: Info, pk: int) -> AuditRecordType | None:
    record = await risk_compliance.audit_record_for_admin(info.context, pk)
    return AuditRecordType.from_model(record) if record else None


@strawberry.type
class Query:
    @strawberry.field(description="Staff only. Newest first.", permission_classes=STAFF)
    async def risk_alerts(
        self,
        status: AlertStatusEnum | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> RiskAlertConnection:
        page = await risk_resolvers.list_alerts(status.value if status else None, first, after)
        return to_connection(page, RiskAlertType.from_model)

    @strawberry.field(
        description="Staff only (RISK_OFFICER, ADMIN). Read it with riskAlerts, pass it as riskAlertRaised(after:):"
        " no alert raised in between is lost.",
        permission_classes=RISK_STAFF,
    )
    async def risk_alert_cursor(self) -> str:
        return await risk_resolvers.alerts_cursor()

    @strawberry.field(
        description="Staff only (ADMIN). The audit trail of one user (as subject or actor), newest first.",
        permission_classes=ADMINS,
    )
    async def audit_log(
        self,
        info: Info,
        user_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> AuditRecordConnection:
        page = await risk_compliance.audit_log(info.context, from_global_id(user_id, "User"), first, after)
        return to_connection(page, AuditRecordType.from_model)

    @strawberry.field(
        description="Staff only. SMS and email messages given up on after their retries (dead letters), newest first.",
        permission_classes=STAFF,
    )
    async def undelivered_messages(self, first: int | None = 50) -> list[UndeliveredMessageType]:
        return [UndeliveredMessageType.from_model(m) for m in await messaging_resolvers.undelivered_messages(first)]

    @strawberry.field(description="The user agreement and privacy policy in force, with their version.")
    def legal_documents(self) -> list[LegalDocumentType]:
        return [LegalDocumentType.from_document(d) for d in risk_compliance.legal_documents()]

    @strawberry.field(
        description="The legal-document version the signed-in user accepted (null if none yet).",
        permission_classes=SIGNED_IN,
    )
    async def viewer_terms_version(self, info: Info) -> str | None:
        return await risk_compliance.viewer_terms_version(info.context)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Staff only (RISK_OFFICER, ADMIN).", permission_classes=RISK_STAFF)
    @returns_payload(RiskAlertPayload)
    async def acknowledge_risk_alert(self, info: Info, input: AcknowledgeRiskAlertInput) -> RiskAlertPayload:
        alert = await risk_resolvers.acknowledge(
            info.context, from_global_id(input.alert_id, "RiskAlert"), bool(input.close), input.note
        )
        return RiskAlertPayload(alert=RiskAlertType.from_model(alert), errors=[])

    @strawberry.mutation(description="Staff only (RISK_OFFICER, ADMIN).", permission_classes=RISK_STAFF)
    @returns_payload(UserPayload)
    async def set_account_status(self, info: Info, input: SetAccountStatusInput) -> UserPayload:
        from ..identity.types import UserType

        user = await risk_resolvers.set_status(
            info.context, from_global_id(input.user_id, "User"), input.status.value, input.reason
        )
        return UserPayload(user=UserType.from_model(user), errors=[])

    @strawberry.mutation(
        description="Staff only (ADMIN). Check the ledger invariants now; breaks raise a CRITICAL alert.",
        permission_classes=ADMINS,
    )
    @returns_payload(ReconciliationPayload)
    async def reconcile_ledger(self, info: Info) -> ReconciliationPayload:
        report, alert = await risk_resolvers.reconcile_now(info.context)
        return ReconciliationPayload(
            report=ReconciliationReport.from_report(report),
            alert=RiskAlertType.from_model(alert) if alert else None,
            errors=[],
        )


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Staff only (RISK_OFFICER, ADMIN).", permission_classes=RISK_STAFF)
    async def risk_alert_raised(
        self,
        info: Info,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Event cursor (Query.riskAlertCursor or a pushed eventId): first replays the alerts"
                " raised since (at most the last 24 h / 500)."
            ),
        ] = None,
    ) -> AsyncGenerator[RiskAlertType, None]:
        async for alert, event_id in risk_resolvers.alerts_for_risk_staff(info.context, after):
            yield RiskAlertType.from_model(alert, event_id)
