"""Refund queries and mutations: thin calls into app/refunds."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from app.errors import ErrorCode
from app.refunds import requests, review
from app.refunds.states import PENDING_REVIEW
from models import Refund, Transaction

from . import loaders
from .context import RequestContext
from .pagination import DEFAULT_PAGE, MAX_PAGE, BadPageRequest, Page, paginate

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


async def visible_refund(ctx: RequestContext, pk: int) -> Refund | None:
    """The refund for its requester or staff; None for anyone else."""
    viewer = await ctx.viewer()
    if viewer is None:
        return None
    refund = await Refund.get_or_none(id=pk)
    if refund is None:
        return None
    if refund.user_id == viewer.id or await ctx.is_staff():
        return refund
    return None


async def my_refunds(ctx: RequestContext, *, first: int | None, after: str | None) -> Page[Refund]:
    viewer = await ctx.require_viewer()
    return await paginate(Refund.filter(user_id=viewer.id), first=first, after=after)


def _queue_cursor(refund: Refund) -> str:
    micros = (refund.review_deadline - _EPOCH) // _MICRO
    return base64.urlsafe_b64encode(f"q:{micros}:{refund.id}".encode()).decode().rstrip("=")


def _queue_position(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, micros, pk = raw.split(":")
        if prefix != "q":
            raise ValueError
        return _EPOCH + int(micros) * _MICRO, int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadPageRequest(ErrorCode.VALIDATION_FAILED, "invalid cursor in after", ("after",)) from None


async def review_queue(*, first: int | None, after: str | None) -> Page[Refund]:
    """Pending refunds, earliest deadline first (keyset on deadline, then id)."""
    if first is not None and not 0 <= first <= MAX_PAGE:
        raise BadPageRequest(
            ErrorCode.VALIDATION_FAILED,
            f"first 须在 0 到 {MAX_PAGE} 之间 (first must be between 0 and {MAX_PAGE})",
            ("first",),
        )
    pending = Refund.filter(status=PENDING_REVIEW)
    total = await pending.count()
    if after is not None:
        deadline, pk = _queue_position(after)
        pending = pending.filter(Q(review_deadline__gt=deadline) | Q(review_deadline=deadline, id__gt=pk))
    size = DEFAULT_PAGE if first is None else first
    rows = list(await pending.order_by("review_deadline", "id").limit(size + 1))
    has_next = len(rows) > size
    rows = rows[:size]
    return Page(
        items=rows,
        cursors=[_queue_cursor(r) for r in rows],
        has_next=has_next,
        has_previous=after is not None,
        total=total,
    )


async def request_refund(ctx: RequestContext, given: Any) -> Refund:
    viewer = await ctx.require_viewer()
    return await requests.request_refund(
        viewer,
        transaction_no=given.transaction_no,
        amount=given.amount,
        reason=given.reason.value,
        description=given.description,
        ip=ctx.client_ip,
    )


async def review_refund(ctx: RequestContext, refund_id: int | None, given: Any) -> Refund:
    viewer = await ctx.require_viewer()
    return await review.review_refund(viewer, refund_id, approve=given.approve, note=given.note, ip=ctx.client_ip)


async def refund_transaction(refund: Refund) -> Transaction:
    """The transaction a refund was asked for (transactions loader: one query for a page)."""
    return await loaders.must(loaders.current().transactions, refund.transaction_id)


async def refund_paid_by(refund: Refund) -> Transaction | None:
    """The REFUND transaction returning the money, once approved (transactions loader)."""
    if refund.refund_transaction_id is None:
        return None
    return await loaders.must(loaders.current().transactions, refund.refund_transaction_id)
