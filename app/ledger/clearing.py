"""The one table of clearing accounts: which system account stands for each external channel.

Money arriving from or leaving to a channel passes its clearing account (a SYSTEM account,
never row-locked): a top-up is clearing -> wallet, a card or third-party payment is
clearing -> merchant, a withdrawal payout is held -> clearing, a refund to a card is
merchant -> clearing.
"""

from __future__ import annotations

from models import Account

from ..errors import DomainError, ErrorCode
from .accounts import system_account
from .vocabulary import Channel

CLEARING_ACCOUNTS: dict[str, str] = {
    Channel.BANK_CARD: "BANK_CLEARING",
    Channel.THIRD_PARTY: "THIRD_PARTY_CLEARING",
    Channel.OFFLINE: "OFFLINE_CLEARING",
}
"""Channel -> code of its clearing account (see ``accounts.SYSTEM_ACCOUNTS``)."""


def clearing_code(channel: str) -> str:
    """The clearing account code of ``channel`` (``BANK_CARD``, ``THIRD_PARTY``, ``OFFLINE``).

    Raises ``DomainError(VALIDATION_FAILED)`` for a channel without one (e.g. ``WALLET_BALANCE``).
    """
    code = CLEARING_ACCOUNTS.get(str(getattr(channel, "value", channel)))
    if code is None:
        raise DomainError(ErrorCode.VALIDATION_FAILED, f"渠道 {channel} 没有清算账户", ("input", "channel"))
    return code


async def clearing_account(channel: str) -> Account:
    """The SYSTEM account that clears ``channel``."""
    return await system_account(clearing_code(channel))
