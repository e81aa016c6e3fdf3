"""An account's statement: the rows it initiated plus the rows where it is the counterparty.

The two sides are kept as two queries instead of one ``OR``: each is a keyset scan of
its own ``(side, id)`` index, newest first, that stops after one page, and each
matches the counterparty text against what that side sees (the initiator sees
``counterparty_name/ref``, the other side sees ``initiator_name/ref``). The pages are
merged by id (resolvers/merged_pagination.py); ``totalCount`` is the sum of the sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models import Transaction

from ..errors import DomainError, ErrorCode
from .instants import as_optional_instant
from .window import window_start

MAX_SEARCH_TEXT = 100
MAX_TRANSACTION_NO = 32


@dataclass(frozen=True)
class StatementFilter:
    """What the caller asked for; every part optional. Amounts in fen, both bounds inclusive."""

    from_: datetime | None = None
    to: datetime | None = None
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    min_amount: int | None = None
    max_amount: int | None = None
    transaction_no: str | None = None
    counterparty: str | None = None


def _field(name: str) -> tuple[str, str]:
    return ("filter", name)


def validate(f: StatementFilter) -> StatementFilter:
    """Normalise text parts and date bounds; refuse impossible amounts, bounds and oversize text.

    ``from``/``to`` become aware UTC instants (an offset-free value is China time, see
    app/history/instants.py); ``from`` after ``to`` is VALIDATION_FAILED on ``from``.
    """
    start, end = as_optional_instant(f.from_), as_optional_instant(f.to)
    if start is not None and end is not None and start > end:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "开始时间不能晚于结束时间", _field("from"))
    for name, value in (("minAmount", f.min_amount), ("maxAmount", f.max_amount)):
        if value is not None and value < 0:
            raise DomainError(ErrorCode.INVALID_AMOUNT, "金额不能为负数", _field(name))
    if f.min_amount is not None and f.max_amount is not None and f.min_amount > f.max_amount:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "最小金额不能大于最大金额", _field("minAmount"))
    number = (f.transaction_no or "").strip() or None
    if number is not None and len(number) > MAX_TRANSACTION_NO:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "交易单号格式不正确", _field("transactionNo"))
    text = (f.counterparty or "").strip() or None
    if text is not None and len(text) > MAX_SEARCH_TEXT:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, f"对方信息最多 {MAX_SEARCH_TEXT} 个字符", _field("counterparty")
        )
    return StatementFilter(
        from_=start,
        to=end,
        types=tuple(dict.fromkeys(f.types)),
        statuses=tuple(dict.fromkeys(f.statuses)),
        min_amount=f.min_amount,
        max_amount=f.max_amount,
        transaction_no=number,
        counterparty=text,
    )


def _common(query: QuerySet[Transaction], f: StatementFilter, now: datetime) -> QuerySet[Transaction]:
    # Always clipped to the window: an earlier ``from`` is raised to its start, not refused.
    start = window_start(now)
    query = query.filter(created_at__gte=max(f.from_, start) if f.from_ else start)
    if f.to is not None:
        query = query.filter(created_at__lte=f.to)
    if f.types:
        query = query.filter(type__in=list(f.types))
    if f.statuses:
        query = query.filter(status__in=list(f.statuses))
    if f.min_amount is not None:
        query = query.filter(amount__gte=f.min_amount)
    if f.max_amount is not None:
        query = query.filter(amount__lte=f.max_amount)
    if f.transaction_no is not None:
        query = query.filter(transaction_no=f.transaction_no)
    return query


def sides(account_id: int, f: StatementFilter, now: datetime) -> list[QuerySet[Transaction]]:
    """The two disjoint row sets of the account's statement, filtered (``f`` validated)."""
    initiated = Transaction.filter(account_id=account_id)
    # Disjoint from ``initiated``: a row never has the same account on both sides
    # (ck_transaction_two_sides in migrations/models/0_initial.py), which keeps the count index-only.
    received = Transaction.filter(counterparty_account_id=account_id)
    if f.counterparty is not None:
        text = f.counterparty
        initiated = initiated.filter(Q(counterparty_name__icontains=text) | Q(counterparty_ref__icontains=text))
        received = received.filter(Q(initiator_name__icontains=text) | Q(initiator_ref__icontains=text))
    return [_common(initiated, f, now), _common(received, f, now)]
