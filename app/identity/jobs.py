"""Identity housekeeping: expire QR login sessions on time, drop stale sessions and tokens."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.identity import RefreshToken

from ..jobs.registry import Job
from . import qr_login


async def _expire_qr_sessions(now: datetime) -> str:
    return f"expired {await qr_login.expire_due_sessions()} QR login sessions"


async def _purge(now: datetime) -> str:
    sessions = await qr_login.purge_old_sessions()
    # Expired refresh tokens can no longer be used or replayed, so their rows have done their job.
    tokens = await RefreshToken.filter(expires_at__lt=now - timedelta(days=1)).delete()
    return f"purged {sessions} QR login sessions, {tokens} refresh tokens"


JOBS = [
    Job("qr-login-expiry", 5, _expire_qr_sessions),
    Job("identity-purge", 3600, _purge),
]
