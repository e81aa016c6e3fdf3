"""Reading the audit trail (ADMIN only at the API): records about or by one user."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q

from models import AuditRecord, User

from .. import audit


def trail_of(user_id: int) -> Any:
    """Records whose subject or actor is the user (paginated newest first by the caller)."""
    return AuditRecord.filter(Q(subject_user_id=user_id) | Q(actor_id=user_id))


async def record_viewed(admin: User, user_id: int, *, ip: str | None) -> None:
    """Looking at someone's trail is itself a staff action worth recording."""
    await audit.record("AUDIT_TRAIL_VIEWED", actor_id=admin.id, subject_user_id=user_id, ip=ip)
