"""Tortoise models: tables and constraints, nothing else.

Every model module is imported here so Tortoise (and aerich) see one app, ``models``.
A foreign key ``owner`` also puts its column on each instance as ``owner_id``: the models
declare those (``owner_id: int``, bare annotations, no field) so type checkers know them.
"""

from .audit import AuditRecord
from .cards import BankCard
from .events import OutboxEvent
from .ledger import Account, IdempotencyRecord, Journal, Posting, Transaction
from .merchants import Merchant
from .notify import SandboxMessage
from .refunds import Refund
from .user import User

__all__ = [
    "Account",
    "AuditRecord",
    "BankCard",
    "IdempotencyRecord",
    "Journal",
    "Merchant",
    "OutboxEvent",
    "Posting",
    "Refund",
    "SandboxMessage",
    "Transaction",
    "User",
]
