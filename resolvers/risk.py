"""Risk alerts and account status: thin calls into app.risk."""

from __future__ import annotations

from collections.abc import AsyncIterator

from app.events.resume import parse_cursor
from app.identity.roles import RISK_ROLES, STAFF_ROLES
from app.ledger.reconcile import Report
from app.risk import account_status, alert_review
from app.risk.alerts import alerts_event_cursor, watch_alerts
from app.risk.reconciliation import reconcile_for_staff
from models import Transaction, User
from models.risk import RiskAlert

from . import loaders
from .context import RequestContext
from .pagination import Page, paginate


async def list_alerts(status: str | None, first: int | None, after: str | None) -> Page[RiskAlert]:
    return await paginate(alert_review.alerts_queryset(status), first=first, after=after)


async def alert_scope(alert: RiskAlert) -> str:
    return await alert_review.describe_scope(alert)


async def alert_user(alert: RiskAlert) -> User | None:
    return await user_by_id(alert.user_id)


async def alert_transaction(alert: RiskAlert) -> Transaction | None:
    """The transaction an alert is about, if any (transactions loader: one query for a page)."""
    return await loaders.current().transactions.load(alert.transaction_id) if alert.transaction_id else None


async def user_by_id(user_id: int | None) -> User | None:
    """A user of a staff console row (alert, audit record), if any (users loader)."""
    return await loaders.current().users.load(user_id) if user_id else None


async def alert_for_staff(ctx: RequestContext, alert_id: int) -> RiskAlert | None:
    """The alert behind a node id, for staff only."""
    viewer = await ctx.viewer()
    if viewer is None or not viewer.role_set & STAFF_ROLES:
        return None
    return await RiskAlert.get_or_none(id=alert_id)


async def acknowledge(ctx: RequestContext, alert_id: int | None, close: bool, note: str | None) -> RiskAlert:
    staff = await ctx.require_viewer()
    return await alert_review.acknowledge(alert_id, staff, close=close, note=note, ip=ctx.client_ip)


async def set_status(ctx: RequestContext, user_id: int | None, status: str, reason: str) -> User:
    staff = await ctx.require_viewer()
    return await account_status.set_account_status(staff, user_id, status, reason, ip=ctx.client_ip)


async def alerts_for_risk_staff(
    ctx: RequestContext, after: str | None = None
) -> AsyncIterator[tuple[RiskAlert, int | None]]:
    """New alerts (with their event id) while the subscriber still holds a risk role (checked
    again for each alert); with ``after`` (an event cursor) those raised since it first.
    VALIDATION_FAILED (after) for a malformed cursor."""
    cursor = parse_cursor(after)
    viewer = await ctx.require_viewer()
    async for alert, event_id in watch_alerts(cursor):
        current = await User.get_or_none(id=viewer.id)
        if current is None or not current.role_set & RISK_ROLES:
            return
        yield alert, event_id


async def alerts_cursor() -> str:
    return await alerts_event_cursor()


async def reconcile_now(ctx: RequestContext) -> tuple[Report, RiskAlert | None]:
    admin = await ctx.require_viewer()
    return await reconcile_for_staff(admin, ip=ctx.client_ip)
