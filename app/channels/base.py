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
UNKNOWN = "UNKNOWN"  # the call raised or timed out: the channel may or may not have acted
NOT_FOUND = "NOT_FOUND"  # ``query``: the channel never acted on this reference


class ChannelTimeout(TimeoutError):
    """The channel did not answer in time (what it did, if anything, is learnt with ``query``)."""


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
        """Send money to a card (withdrawal payout, bank-card refund)."""

    async def query(self, reference: str) -> ChannelResult:
        """What the bank did with ``reference``: SUCCEEDED, DECLINED, INSUFFICIENT_FUNDS or NOT_FOUND."""


class ThirdPartyChannel(Protocol):
    async def create_checkout(self, amount: int, reference: str, description: str) -> ChannelResult:
        """Start a payment the user completes at the provider: PENDING with a checkout URL."""

    async def payout(self, amount: int, reference: str) -> ChannelResult:
        """Send money to the user's third-party account (withdrawal, refund)."""

    async def query(self, reference: str) -> ChannelResult:
        """What the provider did with ``reference``: SUCCEEDED, FAILED, PENDING (an open checkout)
        or NOT_FOUND."""
