"""What to do when a pending third-party or offline operation finishes.

The table ``HANDLERS`` below holds one pair of handlers per ``Transaction.type``; a new
pending movement adds its pair there (tests/test_registration.py checks the table).

Each handler is ``async def handler(transaction_id: int) -> bool | None``: return
False when the transaction had already left PENDING (nothing happened), True or
None when this call finished it. The signed
webhook calls ``on_succeeded``/``on_failed``; the expiry job calls ``on_failed``
for pending third-party (and offline) transactions nobody finished in time.

Handlers MUST be idempotent: move the transaction out of PENDING with a
conditional update (``status = 'PENDING'`` in the WHERE clause) and do nothing
when it no longer matches, because deliveries can race and repeat.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from models import Transaction

from ..funding.completions import top_up_failed, top_up_succeeded
from ..payments.channel_completion import PAYMENT, on_payment_failed, on_payment_succeeded

Handler = Callable[[int], Awaitable[bool | None]]


class NoHandler(LookupError):
    """No capability registered completions for this transaction type."""


@dataclass(frozen=True)
class Handlers:
    on_succeeded: Handler
    on_failed: Handler


HANDLERS: dict[str, Handlers] = {
    PAYMENT: Handlers(on_payment_succeeded, on_payment_failed),
    "TOP_UP": Handlers(top_up_succeeded, top_up_failed),
}


def handlers_for(transaction_type: str) -> Handlers | None:
    return HANDLERS.get(transaction_type)


def registered_types() -> list[str]:
    """The transaction types with completion handlers (the expiry job fails their stale PENDING)."""
    return sorted(HANDLERS)


async def succeed(transaction: Transaction) -> bool:
    """Run the success handler; True when this call finished the transaction."""
    handlers = handlers_for(transaction.type)
    if handlers is None:
        raise NoHandler(transaction.type)
    return await handlers.on_succeeded(transaction.id) is not False


async def fail(transaction: Transaction) -> bool:
    """Run the failure handler; True when this call finished the transaction."""
    handlers = handlers_for(transaction.type)
    if handlers is None:
        raise NoHandler(transaction.type)
    return await handlers.on_failed(transaction.id) is not False
