"""The double-entry ledger's tables.

Wallet accounts keep running ``available``/``held`` balances (never negative:
checked under lock and by a CHECK constraint added in the migration). Merchant
and system accounts keep no running balance: their balance is the sum of their
postings, so hot accounts never become a row every payment waits on.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class Account(Model):
    id = fields.BigIntField(primary_key=True)
    account_no = fields.CharField(max_length=24, unique=True)
    # WALLET (a user's), MERCHANT (a merchant account: receives payments), SYSTEM (the outside world).
    kind = fields.CharField(max_length=10)
    # Stable name of a system account, e.g. BANK_CLEARING.
    code = fields.CharField(max_length=40, null=True, unique=True)
    name = fields.CharField(max_length=100)
    user: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="accounts", null=True, on_delete=fields.RESTRICT
    )
    user_id: int | None
    currency = fields.CharField(max_length=3, default="CNY")
    available = fields.BigIntField(default=0)
    # Money on hold (a withdrawal or payout waiting for its channel): not spendable, still the
    # owner's. Stored in the column ``frozen`` (the API's ``Account.frozen``); not the user's
    # account status FROZEN, which risk staff set.
    held = fields.BigIntField(default=0, source_field="frozen")
    created_at = created_at_field()

    class Meta:
        table = "accounts"


class Transaction(Model):
    """A movement a user can see. One row serves both sides (direction is per viewer)."""

    id = fields.BigIntField(primary_key=True)
    transaction_no = fields.CharField(max_length=32, unique=True)
    type = fields.CharField(max_length=20)
    status = fields.CharField(max_length=12)
    channel = fields.CharField(max_length=16)
    amount = fields.BigIntField()
    fee = fields.BigIntField(default=0)
    # The initiating side (payer, withdrawer, topper-up, refund receiver ...).
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="transactions", on_delete=fields.RESTRICT
    )
    # The other side, when it is an account on the platform (merchant, transfer recipient).
    counterparty_account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="counter_transactions", null=True, on_delete=fields.RESTRICT
    )
    account_id: int
    counterparty_account_id: int | None
    # How the initiating side sees the other (merchant name, masked card ...).
    counterparty_name = fields.CharField(max_length=100, null=True)
    counterparty_ref = fields.CharField(max_length=40, null=True)
    # How the other side sees the initiator (masked phone, masked name).
    initiator_name = fields.CharField(max_length=100, null=True)
    initiator_ref = fields.CharField(max_length=40, null=True)
    description = fields.CharField(max_length=255, null=True)
    bank_card_id = fields.BigIntField(null=True)
    # A refund points at the transaction it refunds; wealth rows at their holding.
    related_transaction_id = fields.BigIntField(null=True, db_index=True)
    reference_id = fields.BigIntField(null=True)
    external_ref = fields.CharField(max_length=64, null=True, unique=True)
    checkout_url = fields.CharField(max_length=255, null=True)
    # Amount already refunded or under refund review (fen), maintained by the refunds service.
    refunded_amount = fields.BigIntField(default=0)
    created_at = created_at_field()
    completed_at = fields.DatetimeField(null=True)
    expected_arrival_at = fields.DatetimeField(null=True)

    class Meta:
        table = "transactions"
        # (side, created_at): time-window counts and risk totals; (side, id): statement pages
        # read newest-first by keyset straight off the index (app/history/statement.py).
        indexes = (
            ("account_id", "created_at"),
            ("counterparty_account_id", "created_at"),
            ("account_id", "id"),
            ("counterparty_account_id", "id"),
        )


class Journal(Model):
    """One balanced movement: its postings sum to zero. Written in one DB transaction.

    Journals and postings are append-only in the database (UPDATE and DELETE refused by
    triggers); PostgreSQL also refuses, at COMMIT, a journal unbalanced in any currency
    (1_ledger_guards, 2_balanced_per_currency).
    """

    id = fields.BigIntField(primary_key=True)
    # POST completes a transaction; HOLD/RELEASE move money between available and held.
    kind = fields.CharField(max_length=10)
    transaction: fields.ForeignKeyNullableRelation[Transaction] = fields.ForeignKeyField(
        "models.Transaction", related_name="journals", null=True, on_delete=fields.RESTRICT
    )
    transaction_id: int | None
    memo = fields.CharField(max_length=100, null=True)
    created_at = created_at_field()

    class Meta:
        table = "journals"
        # Reconciliation and statements look journals up by their transaction.
        indexes = (("transaction_id",),)


class Posting(Model):
    id = fields.BigIntField(primary_key=True)
    journal: fields.ForeignKeyRelation[Journal] = fields.ForeignKeyField(
        "models.Journal", related_name="postings", on_delete=fields.RESTRICT
    )
    journal_id: int
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="postings", on_delete=fields.RESTRICT
    )
    account_id: int
    # AVAILABLE or FROZEN (stored value of the held bucket, journal.HELD): which balance of the account the amount lands in.
    bucket = fields.CharField(max_length=10, default="AVAILABLE")
    amount = fields.BigIntField()
    created_at = created_at_field()

    class Meta:
        table = "postings"
        # (journal_id): a journal's postings, summed by the balance check and reconciliation.
        indexes = (("account_id", "id"), ("journal_id",))


class IdempotencyRecord(Model):
    """(user, key) -> the request's hash and its stored result, kept at least 24 hours."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField()
    key = fields.CharField(max_length=64)
    operation = fields.CharField(max_length=40)
    request_hash = fields.CharField(max_length=64)
    transaction_id = fields.BigIntField(null=True)
    result: fields.JSONField[Any] = fields.JSONField(null=True)
    created_at = created_at_field()

    class Meta:
        table = "idempotency_records"
        unique_together = (("user_id", "key"),)
