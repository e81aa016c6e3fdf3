"""Asking people for money: fixed amounts per payer, or an even split of a total.

Even split: ``shares.even_shares`` (``total // n`` each; the remainder fen go one each to the
first payers in the order given, so the split is deterministic and sums to the total).
The request and its items are written in one transaction and pushed to each payer's inbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from models import User
from models.pay_requests import PayRequest, PayRequestItem

from .. import clock, runtime
from ..errors import DomainError, ErrorCode, input_field
from ..events.outbox import unit_of_work
from ..ledger.numbers import new_number
from ..payments.transfer import find_recipient
from ..payments.validation import optional_text, positive_amount
from ..red_packets.shares import even_shares
from .live import emit_changed

MAX_PAYERS = 20


@dataclass(frozen=True)
class PayerPart:
    recipient: str
    """The payer's phone or account number."""
    amount: int | None = None
    """Fen; None when the request splits a total."""


@dataclass(frozen=True)
class NewRequest:
    payers: list[PayerPart]
    total: int | None = None
    """Fen to split evenly among the payers (then no payer has an amount)."""
    note: str | None = None


def _amounts(request: NewRequest) -> list[int]:
    n = len(request.payers)
    if not 1 <= n <= MAX_PAYERS:
        raise DomainError(ErrorCode.VALIDATION_FAILED, f"请选择 1-{MAX_PAYERS} 位付款人", input_field("payers"))
    fixed = [p.amount for p in request.payers]
    if request.total is not None:
        if any(a is not None for a in fixed):
            raise DomainError(
                ErrorCode.VALIDATION_FAILED, "均摊时不能再给付款人指定金额", input_field("payers")
            )
        total = positive_amount(request.total, "total")
        if total < n:
            raise DomainError(ErrorCode.INVALID_AMOUNT, "每人至少 0.01 元", input_field("total"))
        return even_shares(total, n)
    if any(a is None for a in fixed):
        raise DomainError(ErrorCode.VALIDATION_FAILED, "请给每位付款人填写金额，或填写总额均摊", input_field("total"))
    return [positive_amount(a, "payers") for a in fixed]  # type: ignore[arg-type]


async def create_request(requester: User, request: NewRequest) -> PayRequest:
    """Write the request; errors: VALIDATION_FAILED (payers, total, note), INVALID_AMOUNT,
    NOT_FOUND (a payer), each with its input field."""
    amounts = _amounts(request)
    note = optional_text(request.note, 100, "note")
    payer_ids: list[int] = []
    for part in request.payers:
        payer, _ = await find_recipient(part.recipient)
        if payer.id == requester.id:
            raise DomainError(ErrorCode.VALIDATION_FAILED, "不能向自己收款", input_field("payers"))
        if payer.id in payer_ids:
            raise DomainError(ErrorCode.VALIDATION_FAILED, "付款人重复", input_field("payers"))
        payer_ids.append(payer.id)
    ttl = timedelta(seconds=runtime.settings().pay_request_ttl_seconds)
    async with unit_of_work() as uow:
        made = await PayRequest.create(
            request_no=new_number("Q"), requester_id=requester.id, amount=sum(amounts), note=note,
            expires_at=clock.now() + ttl, using_db=uow.conn,
        )
        await PayRequestItem.bulk_create(
            [PayRequestItem(request_id=made.id, payer_id=pid, amount=a) for pid, a in zip(payer_ids, amounts, strict=False)],
            using_db=uow.conn,
        )
        await emit_changed(uow, made.id, payer_ids)
    return made
