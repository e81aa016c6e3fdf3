"""The outside rails a refund goes back through (app/channels/base.py protocols).

Instances come from the shared registry, imported lazily (``registry.bank()``,
``registry.third_party()``); ``substituted`` swaps in other implementations, which
is how tests put a recording double in place of the sandbox.
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

    return registry.bank()


def third_party() -> ThirdPartyChannel:
    if "third_party" in _substitutes:
        return _substitutes["third_party"]  # type: ignore[return-value]
    from ..channels import registry

    return registry.third_party()


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
