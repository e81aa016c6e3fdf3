"""Reconciliation with an alert: any break raises a CRITICAL platform alert for risk staff."""

from __future__ import annotations

from models import User
from models.risk import RiskAlert

from .. import audit
from ..ledger.reconcile import Report, reconcile
from .alerts import PLATFORM, raise_alert

ALERT_TYPE = "RECONCILIATION_BREAK"
_SHOWN_BREAKS = 3


async def reconcile_and_alert() -> tuple[Report, RiskAlert | None]:
    """Run every ledger check; when something does not add up, raise one alert for this run."""
    report = await reconcile()
    if report.clean:
        return report, None
    shown = "；".join(report.breaks[:_SHOWN_BREAKS])
    more = f"（另有 {len(report.breaks) - _SHOWN_BREAKS} 项）" if len(report.breaks) > _SHOWN_BREAKS else ""
    alert = await raise_alert(
        ALERT_TYPE,
        "CRITICAL",
        f"对账发现 {len(report.breaks)} 项不平：{shown}{more}",
        scope=PLATFORM,
    )
    return report, alert


async def reconcile_for_staff(admin: User, *, ip: str | None) -> tuple[Report, RiskAlert | None]:
    """An ADMIN's on-demand run (the daily job and `fenpay reconcile` run the same checks)."""
    report, alert = await reconcile_and_alert()
    await audit.record(
        "LEDGER_RECONCILED",
        actor_id=admin.id,
        ip=ip,
        details={"clean": report.clean, "breaks": len(report.breaks), "alertId": alert.id if alert else None},
    )
    return report, alert
