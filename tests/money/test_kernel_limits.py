"""Risk limits in the money kernel are read under the payer's wallet lock: concurrent movements
(asyncio.gather of ``kernel.move``; truly at once on PostgreSQL, serialized on SQLite) cannot
all see the figures from before the others, so exactly as many pass as the limit allows.
test_limit_bursts.py does the same through ``fenpay serve``; test_kernel.py a single refusal."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from app import clock
from app.errors import DomainError, ErrorCode
from app.ledger import kernel
from app.ledger.kernel import MoneyResult
from app.ledger.reconcile import reconcile
from models import IdempotencyRecord, Transaction
from models.risk import RiskDecision
from tests.factories import fund, make_merchant, make_user, wallet_balance
from tests.money.support import payment_movement
from tests.payments.support import merchant_balance

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 in Beijing: the whole China day ahead


async def _attempt(movement: kernel.Movement) -> MoneyResult | ErrorCode:
    try:
        return await kernel.move(movement)
    except DomainError as error:
        return error.code


async def test_concurrent_payments_pass_the_daily_limit_exactly_as_far_as_it_allows():
    clock.set_now(NOW)
    merchant, _ = await make_merchant()
    payer = await make_user()
    await fund(payer, 80_000_00)
    for i in range(8):  # 40,000.00 of the 50,000.00 daily limit
        await kernel.move(await payment_movement(payer, merchant, 5_000_00, f"before-{i}"))
    burst = [await payment_movement(payer, merchant, 5_000_00, f"burst-{i}") for i in range(6)]

    outcomes = await asyncio.gather(*(_attempt(m) for m in burst))

    assert sum(isinstance(o, MoneyResult) for o in outcomes) == 2
    assert [o for o in outcomes if not isinstance(o, MoneyResult)] == [ErrorCode.LIMIT_EXCEEDED] * 4
    assert await wallet_balance(payer) == (30_000_00, 0)
    assert await merchant_balance(merchant) == 50_000_00
    assert await Transaction.filter(type="PAYMENT").count() == 10  # refusals leave no row ...
    assert await IdempotencyRecord.filter(user_id=payer.id, key__startswith="burst-").count() == 2  # ... nor key
    refused = await RiskDecision.filter(user_id=payer.id, outcome="REJECT").values_list("rule", flat=True)
    assert refused == ["DAILY_LIMIT"] * 4
    assert (await reconcile()).clean


async def test_concurrent_payments_of_an_unverified_user_stop_at_the_lifetime_cap():
    """The unverified lifetime cap (1,000.00) counts every earlier payment, including those
    committing at the same moment."""
    clock.set_now(NOW)
    merchant, _ = await make_merchant()
    payer = await make_user(verified=False)
    await fund(payer, 2_000_00)
    burst = [await payment_movement(payer, merchant, 300_00, f"burst-{i}") for i in range(5)]

    outcomes = await asyncio.gather(*(_attempt(m) for m in burst))

    assert sum(isinstance(o, MoneyResult) for o in outcomes) == 3  # 900.00; a fourth would be 1,200.00
    assert [o for o in outcomes if not isinstance(o, MoneyResult)] == [ErrorCode.REAL_NAME_REQUIRED] * 2
    assert await wallet_balance(payer) == (1_100_00, 0)
    assert await merchant_balance(merchant) == 900_00
    assert (await reconcile()).clean
