"""Channel test doubles for the refund tests: a bank and a provider that record their payouts."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.channels.base import SUCCEEDED, ChannelResult


@dataclass
class RecordingBank:
    """A BankChannel double: answers ``status`` and records every payout."""

    status: str = SUCCEEDED
    payouts: list[tuple[str, int, str]] = field(default_factory=list)

    async def charge(self, card_number: str, amount: int, reference: str) -> ChannelResult:
        raise AssertionError("a refund never charges a card")

    async def payout(self, card_number: str, amount: int, reference: str) -> ChannelResult:
        self.payouts.append((card_number, amount, reference))
        return ChannelResult(status=self.status, reference=reference, message="" if self.status == SUCCEEDED else "银行拒绝")


@dataclass
class RecordingProvider:
    """A ThirdPartyChannel double."""

    status: str = SUCCEEDED
    payouts: list[tuple[int, str]] = field(default_factory=list)

    async def create_checkout(self, amount: int, reference: str, description: str) -> ChannelResult:
        raise AssertionError("a refund never starts a checkout")

    async def payout(self, amount: int, reference: str) -> ChannelResult:
        self.payouts.append((amount, reference))
        return ChannelResult(status=self.status, reference=reference)
