"""The configured channel implementations.

Sandbox mode uses the sandbox channels. Real adapters (or test doubles) are
installed with ``install``; production mode without an installed adapter refuses
to move money rather than pretend.
"""

from __future__ import annotations

from .. import runtime
from ..errors import DomainError, ErrorCode
from .base import BankChannel, ThirdPartyChannel
from .sandbox import SandboxBank, SandboxThirdParty

_installed_bank: BankChannel | None = None
_installed_third_party: ThirdPartyChannel | None = None


def install(*, bank: BankChannel | None = None, third_party: ThirdPartyChannel | None = None) -> None:
    """Use these adapters instead of the sandbox ones (``None`` restores the default)."""
    global _installed_bank, _installed_third_party
    _installed_bank = bank
    _installed_third_party = third_party


def _unavailable() -> DomainError:
    return DomainError(ErrorCode.CHANNEL_DECLINED, "支付通道暂不可用，请稍后再试", ("input", "channel"))


def bank_channel() -> BankChannel:
    if _installed_bank is not None:
        return _installed_bank
    if runtime.settings().sandbox:
        return SandboxBank()
    raise _unavailable()


def third_party_channel() -> ThirdPartyChannel:
    if _installed_third_party is not None:
        return _installed_third_party
    settings = runtime.settings()
    if settings.sandbox:
        return SandboxThirdParty(settings.public_url)
    raise _unavailable()
