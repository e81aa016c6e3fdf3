"""Where payments get their bank and third-party channels.

Normally the money core's channel registry (imported lazily: payments only needs the
interface in ``app.channels.base``). ``use_channels`` swaps in other implementations of
that interface for a block: the test seam, like a fake transport for an HTTP client.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..channels.base import BankChannel, ThirdPartyChannel

_bank: BankChannel | None = None
_third_party: ThirdPartyChannel | None = None


def bank() -> BankChannel:
    if _bank is not None:
        return _bank
    from ..channels import registry

    return registry.bank_channel()


def third_party() -> ThirdPartyChannel:
    if _third_party is not None:
        return _third_party
    from ..channels import registry

    return registry.third_party_channel()


@contextmanager
def use_channels(
    *, bank: BankChannel | None = None, third_party: ThirdPartyChannel | None = None
) -> Iterator[None]:
    """Route payments through the given channels inside the block (the others stay as they are)."""
    global _bank, _third_party
    saved = _bank, _third_party
    if bank is not None:
        _bank = bank
    if third_party is not None:
        _third_party = third_party
    try:
        yield
    finally:
        _bank, _third_party = saved
