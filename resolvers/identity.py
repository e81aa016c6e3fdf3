"""Identity operations: turn GraphQL input into service calls (no rules live here)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from app.errors import DomainError, ErrorCode, input_field
from app.identity import (
    account_security,
    codes,
    id_photos,
    login,
    payment_password,
    qr_login,
    real_name,
    registration,
    sessions,
)
from app.identity.sessions import SignedIn
from models import User
from models.identity import QrLoginSession, RealNameReview

from .context import RequestContext


async def request_code(ctx: RequestContext, recipient: str, purpose: str) -> int:
    viewer = await ctx.viewer()
    return await codes.request_code(recipient, purpose, ctx.client_ip, viewer.phone if viewer else None)


async def register(ctx: RequestContext, data: Any) -> User:
    return await registration.register(
        phone=data.phone,
        verification_code=data.verification_code,
        password=data.password,
        confirm_password=data.confirm_password,
        email=data.email,
        accept_terms=data.accept_terms,
        ip=ctx.client_ip,
    )


async def password_login(
    ctx: RequestContext, identifier: str, password: str, totp_code: str | None = None
) -> SignedIn:
    return await login.login(identifier, password, ctx.client_ip, totp_code=totp_code)


async def refresh(ctx: RequestContext, token: str) -> SignedIn:
    return await sessions.refresh(token, ctx.client_ip)


async def logout(ctx: RequestContext, token: str) -> None:
    await sessions.logout(token, ctx.client_ip)


async def reset_password(ctx: RequestContext, data: Any) -> None:
    await account_security.reset_password(
        data.phone, data.verification_code, data.new_password, data.confirm_password, ctx.client_ip
    )


async def change_password(ctx: RequestContext, data: Any) -> None:
    user = await ctx.require_viewer()
    await account_security.change_password(
        user, data.old_password, data.new_password, data.confirm_password, ctx.client_ip
    )


async def set_payment_password(ctx: RequestContext, data: Any) -> None:
    user = await ctx.require_viewer()
    await payment_password.set_payment_password(
        user, data.payment_password, data.confirm_payment_password, data.current_payment_password, ctx.client_ip
    )
    ctx.forget_viewer()


async def reset_payment_password(ctx: RequestContext, data: Any) -> None:
    user = await ctx.require_viewer()
    await payment_password.reset_payment_password(
        user, data.verification_code, data.payment_password, data.confirm_payment_password, ctx.client_ip
    )
    ctx.forget_viewer()


async def change_phone(ctx: RequestContext, data: Any) -> User:
    user = await ctx.require_viewer()
    changed = await account_security.change_phone(
        user, data.new_phone, data.verification_code, data.password, ctx.client_ip
    )
    ctx.forget_viewer()
    return changed


async def set_security_questions(ctx: RequestContext, data: Any) -> None:
    user = await ctx.require_viewer()
    await account_security.set_security_questions(
        user, [(q.question, q.answer) for q in data.questions], data.password, ctx.client_ip
    )


async def _read_upload(upload: Any, field: str) -> bytes | None:
    """The bytes of an optional upload, reading at most one byte past the size limit."""
    if upload is None:
        return None
    try:
        data = await upload.read(id_photos.MAX_BYTES + 1)
    except (AttributeError, TypeError):
        raise DomainError(ErrorCode.VALIDATION_FAILED, "请以文件形式上传图片", input_field(field)) from None
    if len(data) > id_photos.MAX_BYTES:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "图片不能超过 5 MB", input_field(field))
    return data


async def submit_real_name(ctx: RequestContext, data: Any) -> User:
    user = await ctx.require_viewer()
    photos = {
        "id_card_front": await _read_upload(data.id_card_front, "idCardFront"),
        "id_card_back": await _read_upload(data.id_card_back, "idCardBack"),
        "selfie": await _read_upload(data.selfie_with_id_card, "selfieWithIdCard"),
    }
    submitted = await real_name.submit(user, data.real_name, data.id_number, photos, ctx.client_ip)
    ctx.forget_viewer()
    return submitted


async def review_real_name(ctx: RequestContext, review_id: int | None, approve: bool, note: str | None) -> User:
    staff = await ctx.require_viewer()
    return await real_name.review(staff, review_id, approve, note, ctx.client_ip)


async def real_name_queue() -> list[RealNameReview]:
    return await real_name.pending_reviews()


async def create_qr_session(ctx: RequestContext, description: str | None) -> tuple[QrLoginSession, str]:
    return await qr_login.create(description, ctx.client_ip)


async def scan_qr(ctx: RequestContext, payload: str) -> QrLoginSession:
    return await qr_login.scan(await ctx.require_viewer(), payload, ctx.client_ip, ctx.session_id)


async def confirm_qr(
    ctx: RequestContext, session_id: int | None, approve: bool, payment_password: str | None
) -> QrLoginSession:
    return await qr_login.confirm(
        await ctx.require_viewer(), session_id, approve, ctx.client_ip,
        payment_password=payment_password, signed_in_as=ctx.session_id,
    )


async def watch_qr(ctx: RequestContext, session_id: int | None, secret: str) -> AsyncIterator[qr_login.QrLoginUpdate]:
    session = await qr_login.authorised_session(session_id, secret)
    async for update in qr_login.watch(session, ctx.client_ip):
        yield update


async def user_node(ctx: RequestContext, pk: int) -> User | None:
    """A user for ``node``: the viewer themself, or anyone for staff."""
    viewer = await ctx.viewer()
    if viewer is None:
        return None
    if viewer.id == pk:
        return viewer
    return await User.get_or_none(id=pk) if await ctx.is_staff() else None


async def review_node(ctx: RequestContext, pk: int) -> RealNameReview | None:
    return await real_name.review_for_staff(pk) if await ctx.is_staff() else None
