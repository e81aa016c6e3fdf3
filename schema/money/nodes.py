"""``node(id)`` loaders for Account, BankCard and Transaction: the owner (a party) only."""

from __future__ import annotations

from resolvers import cards as card_resolvers
from resolvers import money_access

from ..context import Info
from ..node import register_node
from .types import AccountType, BankCardType, TransactionType


@register_node("Account")
async def load_account(info: Info, pk: int) -> AccountType | None:
    account = await money_access.account_node(info.context, pk)
    return AccountType.from_model(account) if account else None


@register_node("BankCard")
async def load_bank_card(info: Info, pk: int) -> BankCardType | None:
    found = await card_resolvers.card_node(info.context, pk)
    return BankCardType.from_model(*found) if found else None


@register_node("Transaction")
async def load_transaction(info: Info, pk: int) -> TransactionType | None:
    found = await money_access.transaction_node(info.context, pk)
    return TransactionType.from_model(*found) if found else None
