"""The audit trail: every sensitive action leaves an append-only record."""

from __future__ import annotations

from typing import Any

from models import AuditRecord

from .db import Conn


async def record(
    action: str,
    *,
    actor_id: int | None,
    subject_user_id: int | None = None,
    ip: str | None = None,
    details: dict[str, Any] | None = None,
    conn: Conn | None = None,
) -> None:
    """Write one record. ``details`` must never hold secrets (passwords, codes, full numbers)."""
    await AuditRecord.create(
        action=action,
        actor_id=actor_id,
        subject_user_id=subject_user_id if subject_user_id is not None else actor_id,
        ip=ip,
        details=details or {},
        using_db=conn,
    )
