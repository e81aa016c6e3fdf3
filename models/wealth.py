"""Wealth management: products, holdings, daily income accruals and risk assessments.

Money is integer fen; the expected annual return is integer basis points (3.25% = 325).
A holding's money lives in the WEALTH_CUSTODY system account: its balance equals the
sum of every live holding's ``principal + accrued_income``.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class WealthProduct(Model):
    id = fields.BigIntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=100)
    # FIXED_DEPOSIT, MONEY_MARKET_FUND, BOND or INSURANCE.
    type = fields.CharField(max_length=20)
    expected_return_bp = fields.IntField()
    # Null: open-ended, redeemable any day.
    term_days = fields.IntField(null=True)
    # R1 (lowest) to R5.
    risk_level = fields.CharField(max_length=2)
    min_purchase = fields.BigIntField()
    # ON_SALE, SOLD_OUT or CLOSED.
    status = fields.CharField(max_length=10, default="ON_SALE")
    description = fields.TextField()
    risk_disclosure = fields.TextField()
    created_at = created_at_field()

    class Meta:
        table = "wealth_products"


class Holding(Model):
    """One purchase of a product by a user, until it is fully redeemed."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="holdings", on_delete=fields.RESTRICT
    )
    user_id: int
    product: fields.ForeignKeyRelation[WealthProduct] = fields.ForeignKeyField(
        "models.WealthProduct", related_name="holdings", on_delete=fields.RESTRICT
    )
    product_id: int
    # The wallet the money came from and goes back to.
    account_id = fields.BigIntField()
    # Rate fixed at purchase (basis points), so later catalogue edits do not touch it.
    rate_bp = fields.IntField()
    principal = fields.BigIntField()
    accrued_income = fields.BigIntField(default=0)
    # Income not yet whole fen, in units of 1/(365*10000) fen: carried to the next day.
    income_remainder = fields.BigIntField(default=0)
    # HOLDING or REDEEMED.
    status = fields.CharField(max_length=10, default="HOLDING")
    purchased_at = fields.DatetimeField()
    # Last China date whose income is accrued (starts at the purchase date, which earns nothing).
    accrued_through = fields.DateField()
    # Fixed-term only: the last China date that earns, and the instant the holding matures.
    last_income_date = fields.DateField(null=True)
    matures_at = fields.DatetimeField(null=True, db_index=True)
    redeemed_at = fields.DatetimeField(null=True)
    purchase_transaction_id = fields.BigIntField()

    class Meta:
        table = "wealth_holdings"
        indexes = (("user_id", "id"), ("status", "id"))


class WealthAccrual(Model):
    """One day's income of one holding; the unique pair makes a day accrue at most once."""

    id = fields.BigIntField(primary_key=True)
    holding: fields.ForeignKeyRelation[Holding] = fields.ForeignKeyField(
        "models.Holding", related_name="accruals", on_delete=fields.RESTRICT
    )
    holding_id: int
    income_date = fields.DateField()
    principal = fields.BigIntField()
    amount = fields.BigIntField()
    # The WEALTH_INCOME transaction; null on days whose income is below one fen.
    transaction_id = fields.BigIntField(null=True)
    created_at = created_at_field()

    class Meta:
        table = "wealth_accruals"
        unique_together = (("holding_id", "income_date"),)


class RiskAssessment(Model):
    """A submitted suitability questionnaire; the newest one sets ``User.risk_tolerance``."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="risk_assessments", on_delete=fields.RESTRICT
    )
    user_id: int
    # {questionId: optionId}
    answers: fields.JSONField[Any] = fields.JSONField()
    score = fields.IntField()
    tolerance = fields.CharField(max_length=2)
    created_at = created_at_field()

    class Meta:
        table = "risk_assessments"
