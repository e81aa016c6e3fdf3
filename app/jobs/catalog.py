"""Every scheduled job, in the order ``fenpay jobs run`` runs them.

A new job is added here (and only here): a ``Job(name, every_seconds, run)`` whose ``run(now)``
calls the capability's own function and returns a one-line summary. tests/test_registration.py
fails when a ``Job`` built anywhere in ``app/`` is missing from this list.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from models.identity import RefreshToken

from ..channels.recoverers import RECOVERERS
from ..channels.recovery import recover_stuck
from ..events import outbox
from ..funding.expiry import expire_stale_pending
from ..funding.payouts import pay_out_due_withdrawals
from ..identity import qr_login
from ..ledger import idempotency
from ..merchant_platform import orders as merchant_orders
from ..merchant_platform.payouts import pay_out_due_payouts
from ..merchant_platform.statements import build_ended_days
from ..merchant_platform.webhook_delivery import deliver_due as deliver_due_webhooks
from ..messaging.outbox import deliver_due as deliver_due_messages
from ..money import format_fen
from ..pay_requests import expiry as pay_request_expiry
from ..payments import qr_codes
from ..privacy import closure
from ..red_packets import expiry as red_packet_expiry
from ..refunds.arrivals import complete_arrived
from ..refunds.deadlines import mark_overdue
from ..support.service_level import alert_unanswered_complaints
from ..wealth.jobs import accrue_and_mature, check_custody
from ..workdays.jobs import check_makeup_days
from .job import Job


async def _sweep_outbox(now: datetime) -> str:
    return f"republished {await outbox.sweep()} events"


async def _purge(now: datetime) -> str:
    keys = await idempotency.purge_expired()
    events = await outbox.purge()
    return f"purged {keys} idempotency keys, {events} old events"


async def _recover(now: datetime) -> str:
    return (await recover_stuck(now, RECOVERERS)).summary()


async def _pay_out_withdrawals(now: datetime) -> str:
    paid, failed = await pay_out_due_withdrawals(now)
    return f"withdrawals paid out {paid}, failed and released {failed}"


async def _expire_pending(now: datetime) -> str:
    return f"expired {await expire_stale_pending(now)} stale pending transactions"


async def _expire_qr_sessions(now: datetime) -> str:
    return f"expired {await qr_login.expire_due_sessions()} QR login sessions"


async def _identity_purge(now: datetime) -> str:
    sessions = await qr_login.purge_old_sessions()
    # Expired refresh tokens can no longer be used or replayed, so their rows have done their job.
    tokens = await RefreshToken.filter(expires_at__lt=now - timedelta(days=1)).delete()
    return f"purged {sessions} QR login sessions, {tokens} refresh tokens"


async def _reconcile(now: datetime) -> str:
    from ..risk.reconciliation import reconcile_and_alert

    report, alert = await reconcile_and_alert()
    if report.clean:
        return "ledger clean"
    return f"{len(report.breaks)} breaks (alert {alert.id if alert else '-'}): {report.breaks[0]}"


async def _close_expired_orders(now: datetime) -> str:
    return f"closed {await merchant_orders.expire_due(now)} expired merchant orders"


async def _merchant_payouts(now: datetime) -> str:
    paid, failed = await pay_out_due_payouts(now)
    return f"payouts paid {paid}, failed and released {failed}"


async def _merchant_statements(now: datetime) -> str:
    return f"built {await build_ended_days(now)} merchant statements"


async def _deliver_webhooks(now: datetime) -> str:
    succeeded, failed = await deliver_due_webhooks(now)
    return f"webhook attempts succeeded {succeeded}, failed {failed}"


async def _deliver_messages(now: datetime) -> str:
    from .. import runtime

    if runtime.settings().sandbox:
        return "sandbox: messages stay in the sandbox outbox"
    return str(await deliver_due_messages(now))


async def _expire_pay_requests(now: datetime) -> str:
    return f"expired {await pay_request_expiry.expire_due(now)} requests to pay"


async def _expire_qr_codes(now: datetime) -> str:
    return f"expired {await qr_codes.expire_due(now)} payment QR codes"


async def _erase_closed_accounts(now: datetime) -> str:
    return f"erased {await closure.erase_due(now)} closed accounts"


async def _expire_red_packets(now: datetime) -> str:
    packets, returned = await red_packet_expiry.expire_due(now)
    return f"expired {packets} red packets, returned {format_fen(returned)}"


async def _refund_deadlines(now: datetime) -> str:
    return f"{await mark_overdue(now)} refunds marked overdue"


async def _refund_arrivals(now: datetime) -> str:
    return f"{await complete_arrived(now)} refunds arrived"


async def _complaint_service_level(now: datetime) -> str:
    return f"{await alert_unanswered_complaints(now)} unanswered complaints alerted"


JOBS: list[Job] = [
    Job("outbox-sweep", 10, _sweep_outbox),
    Job("purge", 3600, _purge),
    Job("rail-recovery", 60, _recover),
    Job("settle-withdrawals", 300, _pay_out_withdrawals),  # name kept: metrics labels, job locks
    Job("expire-pending", 60, _expire_pending),
    Job("qr-login-expiry", 5, _expire_qr_sessions),
    Job("identity-purge", 3600, _identity_purge),
    Job("reconcile", 24 * 3600, _reconcile),
    # Merchant platform: orders closed by expiry announce ORDER_CLOSED, delivered by the webhook
    # job below; payouts before statements, so a day's payouts are finished before it is read;
    # webhook deliveries last, so events written by the jobs above go out in the same run.
    Job("merchant-order-expiry", 30, _close_expired_orders),
    Job("merchant-payouts", 300, _merchant_payouts),
    Job("merchant-statements", 600, _merchant_statements),
    Job("webhook-deliveries", 5, _deliver_webhooks),
    Job("message-delivery", 5, _deliver_messages),
    Job("pay-request-expiry", 60, _expire_pay_requests),
    Job("payment-qr-expiry", 30, _expire_qr_codes),
    Job("privacy-retention", 3600, _erase_closed_accounts),
    Job("red-packet-expiry", 60, _expire_red_packets),
    Job("refund-deadlines", 600, _refund_deadlines),
    Job("refund-arrivals", 300, _refund_arrivals),
    Job("complaint-service-level", 600, _complaint_service_level),
    Job("wealth-income", 3600, accrue_and_mature),
    Job("wealth-custody-check", 24 * 3600, check_custody),
    Job("calendar-makeup-days", 24 * 3600, check_makeup_days),
]
