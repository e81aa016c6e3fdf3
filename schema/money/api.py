"""Money queries, mutations and the balanceChanged subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from resolvers import cards as card_resolvers
from resolvers import funding as funding_resolvers
from resolvers import money_access
from resolvers.funding import MoneyResult, TopUpRequest, WithdrawalRequest

from ..context import Info
from ..errors import OkPayload, returns_payload
from ..node import from_global_id
from ..permissions import SIGNED_IN
from ..scalars import Money
from . import nodes  # noqa: F401  (registers the Account, BankCard and Transaction loaders)
from .inputs import (
    AddBankCardInput,
    BankCardPayload,
    RemoveBankCardInput,
    TopUpInput,
    TransactionPayload,
    WithdrawalQuoteType,
    WithdrawInput,
)
from .types import AccountType, BalanceChangeType, BankCardType, ChannelEnum, TransactionType


def _card_pk(global_id: str | None) -> int | None:
    """None when absent; 0 (matches no card) when malformed or of another type."""
    if global_id is None:
        return None
    return from_global_id(global_id, "BankCard") or 0


def _transaction_payload(result: MoneyResult) -> TransactionPayload:
    return TransactionPayload(
        transaction=TransactionType.from_model(result.transaction, result.wallet.id),
        account=AccountType.from_model(result.wallet, result.balance),
        errors=[],
    )


@strawberry.type
class Query:
    @strawberry.field(description="A transaction by its number; null unless the viewer is one of its parties.")
    async def transaction(self, info: Info, transaction_no: str) -> TransactionType | None:
        found = await money_access.transaction_by_no(info.context, transaction_no)
        return TransactionType.from_model(*found) if found else None

    @strawberry.field(
        permission_classes=SIGNED_IN,
        description="Fee, net amount and expected arrival of a withdrawal, before confirming it.",
    )
    async def withdrawal_quote(self, amount: Money, channel: ChannelEnum) -> WithdrawalQuoteType:
        quote = funding_resolvers.quote(amount, channel.value)
        return WithdrawalQuoteType(
            amount=Money(quote.amount),
            fee=Money(quote.fee),
            net_amount=Money(quote.net_amount),
            expected_arrival_at=quote.expected_arrival_at,
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(BankCardPayload)
    async def add_bank_card(self, info: Info, input: AddBankCardInput) -> BankCardPayload:
        card, holder = await card_resolvers.add_bank_card(
            info.context,
            card_number=input.card_number,
            holder_name=input.holder_name,
            id_number=input.id_number,
            phone=input.phone,
            verification_code=input.verification_code,
        )
        return BankCardPayload(bank_card=BankCardType.from_model(card, holder), errors=[])

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(OkPayload, ok=False)
    async def remove_bank_card(self, info: Info, input: RemoveBankCardInput) -> OkPayload:
        await card_resolvers.remove_bank_card(info.context, _card_pk(input.bank_card_id), input.payment_password)
        return OkPayload(ok=True, errors=[])

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(TransactionPayload)
    async def top_up(self, info: Info, input: TopUpInput) -> TransactionPayload:
        request = TopUpRequest(
            amount=input.amount,
            channel=input.channel.value,
            bank_card_id=_card_pk(input.bank_card_id),
            idempotency_key=input.idempotency_key,
        )
        result = await funding_resolvers.top_up(info.context, request)
        return _transaction_payload(result)

    @strawberry.mutation(permission_classes=SIGNED_IN)
    @returns_payload(TransactionPayload)
    async def withdraw(self, info: Info, input: WithdrawInput) -> TransactionPayload:
        request = WithdrawalRequest(
            amount=input.amount,
            channel=input.channel.value,
            bank_card_id=_card_pk(input.bank_card_id),
            payment_password=input.payment_password,
            idempotency_key=input.idempotency_key,
        )
        result = await funding_resolvers.withdraw(info.context, request)
        return _transaction_payload(result)


@strawberry.type
class Subscription:
    @strawberry.subscription(
        permission_classes=SIGNED_IN,
        description="The signed-in user's balance changes, pushed after each commit that changes it.",
    )
    async def balance_changed(
        self,
        info: Info,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Event cursor (the wallet's Account.eventCursor or a pushed eventId): first replays"
                " the changes since (at most the last 24 h / 500)."
            ),
        ] = None,
    ) -> AsyncGenerator[BalanceChangeType, None]:
        viewer_id = await info.context.streaming_viewer_id()
        async for change in money_access.balance_changes(viewer_id, after):
            yield BalanceChangeType(
                account=AccountType.from_model(change.account),
                delta=Money(change.delta),
                available=Money(change.available),
                frozen=Money(change.held),
                transaction=(
                    TransactionType.from_model(change.transaction, change.account.id) if change.transaction else None
                ),
                occurred_at=change.occurred_at,
                event_id=strawberry.ID(str(change.event_id)) if change.event_id is not None else None,
            )
