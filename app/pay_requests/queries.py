"""Reading requests to pay: the requester sees the request and every part; a payer sees
their own part and the request it belongs to."""

from __future__ import annotations

from models import User
from models.pay_requests import PayRequest, PayRequestItem

RECENT = 50


async def visible_request(viewer: User | None, request_id: int) -> PayRequest | None:
    request = await PayRequest.get_or_none(id=request_id)
    if viewer is None or request is None:
        return None
    if request.requester_id == viewer.id:
        return request
    if await PayRequestItem.filter(request_id=request_id, payer_id=viewer.id).exists():
        return request
    return None


async def by_no(viewer: User, request_no: str) -> PayRequest | None:
    request = await PayRequest.get_or_none(request_no=(request_no or "").strip())
    return await visible_request(viewer, request.id) if request else None


async def sent_by(user: User) -> list[PayRequest]:
    return await PayRequest.filter(requester_id=user.id).order_by("-id").limit(RECENT)


async def inbox_of(user: User, status: str | None = "PENDING") -> list[PayRequestItem]:
    """The user's parts to pay (PENDING by default; all when ``status`` is None), newest first."""
    query = PayRequestItem.filter(payer_id=user.id)
    if status is not None:
        query = query.filter(status=status)
    return await query.order_by("-id").limit(RECENT)


async def items_of(request: PayRequest, viewer: User | None) -> list[PayRequestItem]:
    """Every part for the requester; only the viewer's own part for a payer."""
    query = PayRequestItem.filter(request_id=request.id)
    if viewer is None or viewer.id != request.requester_id:
        query = query.filter(payer_id=viewer.id if viewer else -1)
    return await query.order_by("id")
