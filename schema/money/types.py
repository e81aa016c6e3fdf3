"""Account, Transaction, BankCard and BalanceChange types."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.ledger import vocabulary
from app.ledger.accounts import Balance
from app.masking import mask_name
from models import Account, BankCard, Transaction
from resolvers import fx as fx_resolvers
from resolvers import money as money_resolvers
from resolvers import money_access

from ..context import Info
from ..node import Node, to_global_id
from ..pagination import Connection
from ..scalars import Money

if TYPE_CHECKING:
    from ..fx.types import FxDetailsType
    from ..history.types import RefundType, TransactionFilter


# The domain's own enums (app/ledger/vocabulary.py), served under their GraphQL names.
# ``strawberry.enum`` marks the class in place; the aliases below are the same classes.
strawberry.enum(vocabulary.Channel, name="Channel")
strawberry.enum(vocabulary.TransactionType, name="TransactionType")
strawberry.enum(vocabulary.TransactionStatus, name="TransactionStatus")
strawberry.enum(vocabulary.Direction, name="Direction")
ChannelEnum = vocabulary.Channel
TransactionTypeEnum = vocabulary.TransactionType
TransactionStatusEnum = vocabulary.TransactionStatus
DirectionEnum = vocabulary.Direction


@strawberry.enum(name="AccountStatus")
class AccountStatusEnum(Enum):
    NORMAL = "NORMAL"
    FROZEN = "FROZEN"
    ABNORMAL = "ABNORMAL"
    CLOSED = "CLOSED"


@strawberry.type
class Counterparty:
    name: str
    account: str | None = strawberry.field(description="Masked account number, phone or card.")


@strawberry.type(name="Transaction")
class TransactionType(Node):
    _model: strawberry.Private[Transaction]
    _perspective: strawberry.Private[int]
    id: strawberry.ID
    transaction_no: str
    type: TransactionTypeEnum
    status: TransactionStatusEnum
    direction: DirectionEnum
    amount: Money
    fee: Money
    channel: ChannelEnum
    counterparty: Counterparty | None
    description: str | None
    created_at: datetime
    completed_at: datetime | None
    expected_arrival_at: datetime | None
    checkout_url: str | None

    @classmethod
    def from_model(cls, tx: Transaction, perspective_account_id: int | None = None) -> TransactionType:
        """``perspective_account_id``: the account whose statement shows this row (default: initiator)."""
        perspective = perspective_account_id or tx.account_id
        owner_side = perspective == tx.account_id
        direction = vocabulary.direction_of(tx.type, initiator=owner_side)
        name, ref = (
            (tx.counterparty_name, tx.counterparty_ref) if owner_side else (tx.initiator_name, tx.initiator_ref)
        )
        return cls(
            _model=tx,
            _perspective=perspective,
            id=to_global_id("Transaction", tx.id),
            transaction_no=tx.transaction_no,
            type=TransactionTypeEnum(tx.type),
            status=TransactionStatusEnum(tx.status),
            direction=direction,
            amount=tx.amount,
            fee=tx.fee,
            channel=ChannelEnum(tx.channel),
            counterparty=Counterparty(name=name, account=ref) if name else None,
            description=tx.description,
            created_at=tx.created_at,
            completed_at=tx.completed_at,
            expected_arrival_at=tx.expected_arrival_at,
            checkout_url=tx.checkout_url if owner_side else None,
        )

    @strawberry.field(description="For payments: what may still be refunded.")
    def refundable_amount(self) -> Money:
        return Money(money_resolvers.refundable_amount(self._model, self._perspective))

    @strawberry.field(description="Both currencies of a cross-border payment (or its refund); null otherwise.")
    async def fx(self) -> Annotated[FxDetailsType, strawberry.lazy("schema.fx.types")] | None:
        from ..fx.types import FxDetailsType

        view = await fx_resolvers.fx_of(self._model)
        return FxDetailsType.from_view(view) if view else None

    @strawberry.field
    async def refunds(
        self, info: Info
    ) -> list[Annotated[RefundType, strawberry.lazy("schema.history.types")]]:
        from ..history.types import RefundType

        rows = await money_resolvers.refunds_of(info.context, self._model)
        return [RefundType.from_model(r) for r in rows]


TransactionConnection = Connection[TransactionType]


@strawberry.type(name="Account")
class AccountType(Node):
    _model: strawberry.Private[Account]
    id: strawberry.ID
    account_no: str = strawberry.field(description="Public account number used as a counterparty reference.")
    currency: str
    _balance: strawberry.Private[Balance | None] = None

    @classmethod
    def from_model(cls, account: Account, balance: Balance | None = None) -> AccountType:
        """``balance``: the balance a money mutation just wrote (then balance, available and
        frozen (held) send no statement); without it the first of them reads it once."""
        return cls(
            _model=account,
            id=to_global_id("Account", account.id),
            account_no=account.account_no,
            currency=account.currency,
            _balance=balance,
        )

    async def _current(self) -> Balance:
        if self._balance is None:
            self._balance = await money_resolvers.balance(self._model)
        return self._balance

    @strawberry.field(
        description="Read it with the balance, pass it as balanceChanged(after:): no change in between is lost."
    )
    async def event_cursor(self) -> str:
        return await money_access.balance_event_cursor(self._model)

    @strawberry.field(description="available + frozen")
    async def balance(self) -> Money:
        return Money((await self._current()).total)

    @strawberry.field
    async def available(self) -> Money:
        return Money((await self._current()).available)

    @strawberry.field
    async def frozen(self) -> Money:
        return Money((await self._current()).held)

    @strawberry.field
    async def status(self) -> AccountStatusEnum:
        return AccountStatusEnum(await money_resolvers.account_status(self._model))

    @strawberry.field
    async def transactions(
        self,
        info: Info,
        filter: Annotated[TransactionFilter, strawberry.lazy("schema.history.types")] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> TransactionConnection:
        from ..history.api import account_transactions

        return await account_transactions(info, self._model, filter, first, after, last, before)


@strawberry.type(name="BankCard")
class BankCardType(Node):
    id: strawberry.ID
    bank_name: str
    masked_number: str = strawberry.field(description="Masked: first 6 and last 4 digits at most.")
    last4: str
    holder_name: str
    is_default: bool
    created_at: datetime

    @classmethod
    def from_model(cls, card: BankCard, holder_name: str) -> BankCardType:
        return cls(
            id=to_global_id("BankCard", card.id),
            bank_name=card.bank_name,
            masked_number=card.masked_number,
            last4=card.last4,
            holder_name=mask_name(holder_name),
            is_default=card.is_default,
            created_at=card.created_at,
        )


@strawberry.type(name="BalanceChange")
class BalanceChangeType:
    account: AccountType
    delta: Money = strawberry.field(description="Signed change of the available balance.")
    available: Money
    frozen: Money
    transaction: TransactionType | None
    occurred_at: datetime
    event_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Identifies the event. Delivery is at least once: a repeat carries the same eventId.",
    )
