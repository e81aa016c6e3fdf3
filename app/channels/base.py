"""The channel interface: charge, payout, refund. Sandbox and real adapters implement it.

Never call a channel while holding database locks: charge first, then write the
journal (or hold first, commit, then pay out).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

SUCCEEDED = "SUCCEEDED"
DECLINED = "DECLINED"  # the bank refused the card (maps to CHANNEL_DECLINED)
INSUFFICIENT = "INSUFFICIENT_FUNDS"  # the bank account lacks money (maps to CHANNEL_DECLINED too)
PENDING = "PENDING"  # completes later through a signed webhook
FAILED = "FAILED"


@dataclass(frozen=True)
class ChannelResult:
    status: str
    reference: str
    """The channel's reference for this operation (our transaction number for sandboxes)."""
    checkout_url: str | None = None
    message: str = ""


class BankChannel(Protocol):
    async def charge(self, card_number: str, amount: int, reference: str) -> ChannelResult:
        """Take money from a card (top-up, bank-card payment)."""

    async def payout(self, card_number: str, amount: int, reference: str) -> ChannelResult:
        """Send money to a card (withdrawal settlement, bank-card refund)."""


class ThirdPartyChannel(Protocol):
    async def create_checkout(self, amount: int, reference: str, description: str) -> ChannelResult:
        """Start a payment the user completes at the provider: PENDING with a checkout URL."""

    async def payout(self, amount: int, reference: str) -> ChannelResult:
        """Send money to the user's third-party account (withdrawal, refund)."""
