"""Withdrawal fees and arrival times (seed 6.3): 0.5 % to a bank card, arriving the next
Chinese business day; 1 % to a third-party account, arriving at once. The fee is rounded
half-up to the fen and taken from the amount."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .. import clock
from ..business_days import next_business_day_start
from ..errors import DomainError, ErrorCode, input_field
from ..ledger.vocabulary import Channel
from ..money import percent_of
from .amounts import WITHDRAWAL_MINIMUM, require_whole_yuan

FEE_BASIS_POINTS: dict[str, int] = {Channel.BANK_CARD: 50, Channel.THIRD_PARTY: 100}


@dataclass(frozen=True)
class WithdrawalQuote:
    amount: int
    fee: int
    net_amount: int
    expected_arrival_at: datetime


def require_withdrawal_channel(channel: str) -> None:
    if channel not in FEE_BASIS_POINTS:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "提现只能到银行卡或第三方支付账户", input_field("channel"))


def withdrawal_quote(amount: int, channel: str, now: datetime | None = None) -> WithdrawalQuote:
    require_withdrawal_channel(channel)
    require_whole_yuan(amount, WITHDRAWAL_MINIMUM)
    now = now or clock.now()
    fee = percent_of(amount, FEE_BASIS_POINTS[channel])
    arrival = next_business_day_start(now) if channel == Channel.BANK_CARD else now
    return WithdrawalQuote(amount=amount, fee=fee, net_amount=amount - fee, expected_arrival_at=arrival)
