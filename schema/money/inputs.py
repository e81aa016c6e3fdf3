"""Inputs and payloads of the money mutations, and the withdrawal quote."""

from __future__ import annotations

from datetime import datetime

import strawberry

from ..errors import UserError
from ..scalars import Money
from .types import AccountType, BankCardType, ChannelEnum, TransactionType


@strawberry.input
class AddBankCardInput:
    card_number: str
    holder_name: str
    id_number: str
    phone: str = strawberry.field(description="Phone reserved at the bank; the code goes to it (purpose BIND_BANK_CARD).")
    verification_code: str


@strawberry.input
class RemoveBankCardInput:
    bank_card_id: strawberry.ID
    payment_password: str


@strawberry.input
class TopUpInput:
    amount: Money
    channel: ChannelEnum
    bank_card_id: strawberry.ID | None = strawberry.field(default=None, description="Required for BANK_CARD.")
    idempotency_key: str


@strawberry.input
class WithdrawInput:
    amount: Money
    channel: ChannelEnum = strawberry.field(description="BANK_CARD or THIRD_PARTY.")
    bank_card_id: strawberry.ID | None = strawberry.field(default=None, description="Required for BANK_CARD.")
    payment_password: str
    idempotency_key: str


@strawberry.type
class BankCardPayload:
    bank_card: BankCardType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class TransactionPayload:
    transaction: TransactionType | None = None
    account: AccountType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(name="WithdrawalQuote")
class WithdrawalQuoteType:
    amount: Money
    fee: Money
    net_amount: Money
    expected_arrival_at: datetime
