"""Shared set-up and GraphQL documents for the wealth tests."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from typing import Any

from app import clock
from app.ledger.accounts import balance_of, system_account
from app.wealth.catalogue import NewProduct, create_product, set_status
from models import User
from models.wealth import WealthProduct
from schema.node import to_global_id
from tests.factories import DEFAULT_PIN

CHINA = timezone(timedelta(hours=8))
_codes = itertools.count(1)
_keys = itertools.count(1)

PRODUCT_FIELDS = """
    id code name type expectedAnnualReturn termDays riskLevel minPurchase status description riskDisclosure
"""

HOLDING_FIELDS = """
    id principal accruedIncome redeemable status purchasedAt maturesAt redeemedAt
    product { id code }
"""

PURCHASE = f"""
mutation($input: PurchaseWealthProductInput!) {{
  purchaseWealthProduct(input: $input) {{
    holding {{ {HOLDING_FIELDS} }}
    transaction {{ id transactionNo type status direction amount counterparty {{ name }} }}
    errors {{ code message field }}
  }}
}}
"""

REDEEM = f"""
mutation($input: RedeemWealthProductInput!) {{
  redeemWealthProduct(input: $input) {{
    holding {{ {HOLDING_FIELDS} }}
    transaction {{ id transactionNo type status direction amount }}
    errors {{ code message field }}
  }}
}}
"""

HOLDINGS = f"""
query($all: Boolean! = false) {{ holdings(includeRedeemed: $all) {{ {HOLDING_FIELDS} }} }}
"""


def china(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A China wall-clock instant, as an aware datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=CHINA)


def at(instant: datetime) -> datetime:
    clock.set_now(instant)
    return instant


async def run_jobs(instant: datetime) -> dict[str, str]:
    """Run every job at ``instant`` and leave the clock there (run_once resets it)."""
    from app.jobs.registry import run_once

    results = dict(await run_once(instant))
    at(instant)
    return results


def new_key() -> str:
    return f"wealth-key-{next(_keys)}"


async def make_product(
    *,
    type: str = "MONEY_MARKET_FUND",
    rate: str = "2.85",
    term_days: int | None = None,
    risk_level: str = "R1",
    min_purchase: int = 100,
    status: str = "ON_SALE",
    code: str | None = None,
    name: str | None = None,
) -> WealthProduct:
    serial = next(_codes)
    product = await create_product(
        NewProduct(
            code=code or f"TEST-{serial:04d}",
            name=name or f"测试产品 {serial}",
            type=type,
            expected_annual_return=rate,
            term_days=term_days,
            risk_level=risk_level,
            min_purchase=min_purchase,
            description="测试用理财产品说明",
            risk_disclosure="理财非存款，产品有风险，投资须谨慎。",
        ),
        actor_id=None,
    )
    if status != "ON_SALE":
        product = await set_status(product.id, status, actor_id=None)
    return product


async def set_tolerance(user: User, tolerance: str | None) -> None:
    user.risk_tolerance = tolerance
    await user.save(update_fields=["risk_tolerance"])


def product_gid(product: WealthProduct) -> str:
    return to_global_id("WealthProduct", product.id)


def purchase_input(product: WealthProduct, amount: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "productId": product_gid(product),
        "amount": amount,
        "paymentPassword": DEFAULT_PIN,
        "acceptRiskDisclosure": True,
        "idempotencyKey": new_key(),
    }
    data.update(overrides)
    return data


def redeem_input(holding_id: str, amount: str | None = None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "holdingId": holding_id,
        "paymentPassword": DEFAULT_PIN,
        "idempotencyKey": new_key(),
    }
    if amount is not None:
        data["amount"] = amount
    data.update(overrides)
    return data


async def custody_balance() -> int:
    return (await balance_of(await system_account("WEALTH_CUSTODY"))).total


async def interest_expense_balance() -> int:
    return (await balance_of(await system_account("INTEREST_EXPENSE"))).total
