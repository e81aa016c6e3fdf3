"""The outside rails a refund goes back through (app/channels/base.py protocols).

Instances come from the shared registry (``registry.bank_channel()``,
``registry.third_party_channel()``: the sandbox channels in sandbox mode, installed
adapters otherwise), imported lazily. ``substituted`` swaps in other implementations
for a block.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..channels.base import BankChannel, ThirdPartyChannel

_substitutes: dict[str, object] = {}


def bank() -> BankChannel:
    if "bank" in _substitutes:
        return _substitutes["bank"]  # type: ignore[return-value]
    from ..channels import registry

    return registry.bank_channel()


def third_party() -> ThirdPartyChannel:
    if "third_party" in _substitutes:
        return _substitutes["third_party"]  # type: ignore[return-value]
    from ..channels import registry

    return registry.third_party_channel()


@contextmanager
def substituted(
    *, bank: BankChannel | None = None, third_party: ThirdPartyChannel | None = None
) -> Iterator[None]:
    previous = dict(_substitutes)
    if bank is not None:
        _substitutes["bank"] = bank
    if third_party is not None:
        _substitutes["third_party"] = third_party
    try:
        yield
    finally:
        _substitutes.clear()
        _substitutes.update(previous)
