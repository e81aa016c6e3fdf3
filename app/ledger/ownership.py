"""Who may see which account and transaction: the owner of a side, nobody else."""

from __future__ import annotations

from typing import cast

from models import Account, Merchant, Transaction


async def account_ids_of(user_id: int) -> set[int]:
    """The user's wallet plus the merchant accounts of merchants the user owns."""
    wallets = cast("list[int]", await Account.filter(user_id=user_id).values_list("id", flat=True))
    merchant_accounts = cast("list[int]", await Merchant.filter(owner_id=user_id).values_list("account_id", flat=True))
    return {int(i) for i in wallets} | {int(i) for i in merchant_accounts}


async def visible_account(user_id: int, account_id: int) -> Account | None:
    if account_id not in await account_ids_of(user_id):
        return None
    return await Account.get_or_none(id=account_id)


def perspective(transaction: Transaction, account_ids: set[int]) -> int | None:
    """The account through which the user sees ``transaction`` (initiator first), or None."""
    if transaction.account_id in account_ids:
        return transaction.account_id
    if transaction.counterparty_account_id is not None and transaction.counterparty_account_id in account_ids:
        return transaction.counterparty_account_id
    return None


async def visible_transaction(
    user_id: int, *, transaction_id: int | None = None, transaction_no: str | None = None
) -> tuple[Transaction, int] | None:
    """The transaction and the viewer's perspective account, when the viewer is a party."""
    if transaction_id is not None:
        tx = await Transaction.get_or_none(id=transaction_id)
    elif transaction_no:
        tx = await Transaction.get_or_none(transaction_no=transaction_no.strip())
    else:
        return None
    if tx is None:
        return None
    side = perspective(tx, await account_ids_of(user_id))
    return (tx, side) if side is not None else None
