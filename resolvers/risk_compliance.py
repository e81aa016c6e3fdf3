"""Audit trail and legal documents: thin calls into app.compliance."""

from __future__ import annotations

from app.compliance import audit_trail, documents
from app.compliance.documents import Document
from app.errors import DomainError, ErrorCode
from models import AuditRecord, User

from .context import RequestContext
from .pagination import Page, paginate


async def audit_log(
    ctx: RequestContext, user_id: int | None, first: int | None, after: str | None
) -> Page[AuditRecord]:
    admin = await ctx.require_viewer()
    if user_id is None or not await User.exists(id=user_id):
        raise DomainError(ErrorCode.NOT_FOUND, "用户不存在", ("userId",))
    page = await paginate(audit_trail.trail_of(user_id), first=first, after=after)
    await audit_trail.record_viewed(admin, user_id, ip=ctx.client_ip)
    return page


async def audit_record_for_admin(ctx: RequestContext, record_id: int) -> AuditRecord | None:
    viewer = await ctx.viewer()
    if viewer is None or "ADMIN" not in viewer.role_set:
        return None
    return await AuditRecord.get_or_none(id=record_id)


def legal_documents() -> list[Document]:
    return [documents.document(kind) for kind in documents.KINDS]


async def viewer_terms_version(ctx: RequestContext) -> str | None:
    viewer = await ctx.require_viewer()
    return viewer.terms_version
