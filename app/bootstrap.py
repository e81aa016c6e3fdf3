"""Reference data every installation needs: written by ``fenpay migrate`` and checked again
at every start with insert-if-absent statements, so any number of workers (on any number of
machines) may start at once on a fresh or a running database.

A new kind of reference data adds its ``ensure`` step to ``REFERENCE_DATA`` (insert-if-absent
only: it must never fail on a duplicate).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from .ledger.accounts import ensure_system_accounts
from .support.faq import load_shipped_faq


async def _load_faq() -> None:
    # The shipped FAQ is in the database from the first start (refreshed when the file changes).
    await load_shipped_faq()


REFERENCE_DATA: list[Callable[[], Awaitable[None]]] = [
    ensure_system_accounts,  # the system accounts exist from the first start
    _load_faq,
]


async def ensure_reference_data() -> None:
    for ensure in REFERENCE_DATA:
        await ensure()
