"""What to do when a pending third-party or offline operation finishes.

Capabilities register one pair of handlers per ``Transaction.type``::

    completions.register("PAYMENT", on_succeeded, on_failed)

Each handler is ``async def handler(transaction_id: int) -> bool | None``: return
False when the transaction had already left PENDING (nothing happened), True or
None when this call finished it. The signed
webhook calls ``on_succeeded``/``on_failed``; the expiry job calls ``on_failed``
for pending third-party (and offline) transactions nobody finished in time.

Handlers MUST be idempotent: move the transaction out of PENDING with a
conditional update (``status = 'PENDING'`` in the WHERE clause) and do nothing
when it no longer matches, because deliveries can race and repeat.

A capability registers at import of its module ``app/<package>/completions.py``;
those modules are imported automatically before the first dispatch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from models import Transaction

from ..plugins import capability_modules

Handler = Callable[[int], Awaitable[bool | None]]


class NoHandler(LookupError):
    """No capability registered completions for this transaction type."""


@dataclass(frozen=True)
class Handlers:
    on_succeeded: Handler
    on_failed: Handler


_handlers: dict[str, Handlers] = {}
_discovered = False


def register(transaction_type: str, on_succeeded: Handler, on_failed: Handler) -> None:
    _handlers[transaction_type] = Handlers(on_succeeded, on_failed)


def _discover() -> None:
    global _discovered
    if not _discovered:
        _discovered = True
        capability_modules("completions")


def handlers_for(transaction_type: str) -> Handlers | None:
    _discover()
    return _handlers.get(transaction_type)


def registered_types() -> list[str]:
    _discover()
    return sorted(_handlers)


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
