"""The three wealth movements as ledger journals, each with the transaction the user sees.

Design: money in a product is held by the WEALTH_CUSTODY system account.
- purchase:   wallet -> WEALTH_CUSTODY                 (WEALTH_PURCHASE)
- income:     INTEREST_EXPENSE -> WEALTH_CUSTODY       (WEALTH_INCOME; the income belongs to the
              holding until redeemed, so the wallet balance does not change)
- redemption: WEALTH_CUSTODY -> wallet                 (WEALTH_REDEMPTION)
Every transaction row is SUCCEEDED with exactly one POST journal, on the user's wallet
(``account``), naming the product as counterparty and the holding as ``reference_id``.
"""

from __future__ import annotations

from models import Account, Transaction
from models.wealth import WealthProduct

from .. import clock
from ..events.outbox import UnitOfWork
from ..ledger import journal
from ..ledger.accounts import Balance, system_account
from ..ledger.numbers import new_number

WEALTH_PURCHASE = "WEALTH_PURCHASE"
WEALTH_INCOME = "WEALTH_INCOME"
WEALTH_REDEMPTION = "WEALTH_REDEMPTION"

CUSTODY = "WEALTH_CUSTODY"
INTEREST_EXPENSE = "INTEREST_EXPENSE"


async def _book(
    uow: UnitOfWork,
    *,
    type: str,
    wallet_id: int,
    product: WealthProduct,
    holding_id: int | None,
    amount: int,
    source: Account,
    target: Account,
    description: str,
) -> tuple[Transaction, dict[int, Balance]]:
    now = clock.now()
    tx = await Transaction.create(
        transaction_no=new_number("T"),
        type=type,
        status="SUCCEEDED",
        channel="WALLET_BALANCE",
        amount=amount,
        account_id=wallet_id,
        counterparty_name=product.name,
        counterparty_ref=product.code,
        description=description,
        reference_id=holding_id,
        completed_at=now,
        using_db=uow.conn,
    )
    balances = await journal.post(
        uow.conn, [journal.Leg(source, -amount), journal.Leg(target, amount)], transaction_id=tx.id, memo=type
    )
    return tx, balances


async def book_purchase(
    uow: UnitOfWork, wallet: Account, product: WealthProduct, amount: int
) -> tuple[Transaction, Balance]:
    """Raises INSUFFICIENT_FUNDS (and the caller's transaction rolls back) when the wallet is short."""
    tx, balances = await _book(
        uow,
        type=WEALTH_PURCHASE,
        wallet_id=wallet.id,
        product=product,
        holding_id=None,  # set once the holding exists
        amount=amount,
        source=wallet,
        target=await system_account(CUSTODY),
        description=f"购买理财产品：{product.name}",
    )
    return tx, balances[wallet.id]


async def book_income(
    uow: UnitOfWork, wallet_id: int, product: WealthProduct, holding_id: int, amount: int, income_date: str
) -> Transaction:
    tx, _ = await _book(
        uow,
        type=WEALTH_INCOME,
        wallet_id=wallet_id,
        product=product,
        holding_id=holding_id,
        amount=amount,
        source=await system_account(INTEREST_EXPENSE),
        target=await system_account(CUSTODY),
        description=f"理财收益（{income_date}）：{product.name}",
    )
    return tx


async def book_redemption(
    uow: UnitOfWork, wallet: Account, product: WealthProduct, holding_id: int, amount: int, *, at_maturity: bool
) -> tuple[Transaction, Balance]:
    what = "到期赎回" if at_maturity else "赎回"
    tx, balances = await _book(
        uow,
        type=WEALTH_REDEMPTION,
        wallet_id=wallet.id,
        product=product,
        holding_id=holding_id,
        amount=amount,
        source=await system_account(CUSTODY),
        target=wallet,
        description=f"理财产品{what}：{product.name}",
    )
    return tx, balances[wallet.id]
