"""The three wealth movements, as the money kernel's ``Movement`` descriptions.

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

from ..events.outbox import UnitOfWork
from ..ledger import kernel
from ..ledger.accounts import system_account
from ..ledger.journal import Leg
from ..ledger.kernel import Movement
from ..ledger.vocabulary import TransactionType

WEALTH_PURCHASE = TransactionType.WEALTH_PURCHASE
WEALTH_INCOME = TransactionType.WEALTH_INCOME
WEALTH_REDEMPTION = TransactionType.WEALTH_REDEMPTION

CUSTODY = "WEALTH_CUSTODY"
INTEREST_EXPENSE = "INTEREST_EXPENSE"


async def purchase_movement(wallet: Account, product: WealthProduct, amount: int) -> Movement:
    """wallet -> custody; the caller adds the key, the limits and the holding (``after``)."""
    return Movement(
        type=WEALTH_PURCHASE,
        account=wallet,
        amount=amount,
        legs=(Leg(wallet, -amount), Leg(await system_account(CUSTODY), amount)),
        memo=WEALTH_PURCHASE,
        counterparty_name=product.name,
        counterparty_ref=product.code,
        description=f"购买理财产品：{product.name}",
    )


async def book_income(
    uow: UnitOfWork, wallet_id: int, product: WealthProduct, holding_id: int, amount: int, income_date: str
) -> Transaction:
    """One day's income of a holding, in the accrual job's transaction (the holding is locked)."""
    wallet = await Account.get(id=wallet_id, using_db=uow.conn)
    tx, _ = await kernel.write(
        uow,
        Movement(
            type=WEALTH_INCOME,
            account=wallet,
            amount=amount,
            legs=(Leg(await system_account(INTEREST_EXPENSE), -amount), Leg(await system_account(CUSTODY), amount)),
            memo=WEALTH_INCOME,
            counterparty_name=product.name,
            counterparty_ref=product.code,
            description=f"理财收益（{income_date}）：{product.name}",
            reference_id=holding_id,
        ),
    )
    return tx


async def redemption_movement(
    wallet: Account, product: WealthProduct, holding_id: int, amount: int, *, at_maturity: bool
) -> Movement:
    """custody -> wallet. A redemption the user asks for keeps the wallet under the maximum
    balance; the redemption at maturity is the user's money coming home and is never refused."""
    what = "到期赎回" if at_maturity else "赎回"
    return Movement(
        type=WEALTH_REDEMPTION,
        account=wallet,
        amount=amount,
        legs=(Leg(await system_account(CUSTODY), -amount), Leg(wallet, amount)),
        memo=WEALTH_REDEMPTION,
        counterparty_name=product.name,
        counterparty_ref=product.code,
        description=f"理财产品{what}：{product.name}",
        reference_id=holding_id,
        cap_balance=not at_maturity,
    )
