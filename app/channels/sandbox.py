"""Sandbox channels that behave like a real test mode (DESIGN.md section 6).

Bank: any Luhn-valid card number works; one ending in 0002 is declined, one ending
in 0051 lacks money at the bank (charges only). Third party: checkouts are PENDING
with a checkout URL; the provider confirms later through the signed webhook
(``POST /sandbox/checkout/{reference}/complete`` or ``/fail`` makes it do so).
"""

from __future__ import annotations

from ..cards.numbers import luhn_valid
from .base import DECLINED, INSUFFICIENT, PENDING, SUCCEEDED, ChannelResult

DECLINED_SUFFIX = "0002"
INSUFFICIENT_SUFFIX = "0051"


class SandboxBank:
    name = "sandbox-bank"

    async def charge(self, card_number: str, amount: int, reference: str) -> ChannelResult:
        if not luhn_valid(card_number) or card_number.endswith(DECLINED_SUFFIX):
            return ChannelResult(DECLINED, reference, message="发卡行拒绝了本次扣款")
        if card_number.endswith(INSUFFICIENT_SUFFIX):
            return ChannelResult(INSUFFICIENT, reference, message="银行卡余额不足")
        return ChannelResult(SUCCEEDED, reference)

    async def payout(self, card_number: str, amount: int, reference: str) -> ChannelResult:
        if not luhn_valid(card_number) or card_number.endswith(DECLINED_SUFFIX):
            return ChannelResult(DECLINED, reference, message="收款银行卡状态异常，银行退回了本次付款")
        return ChannelResult(SUCCEEDED, reference)


class SandboxThirdParty:
    name = "sandbox-third-party"

    def __init__(self, public_url: str) -> None:
        self._public_url = public_url.rstrip("/")

    def checkout_url(self, reference: str) -> str:
        return f"{self._public_url}/sandbox/checkout/{reference}"

    async def create_checkout(self, amount: int, reference: str, description: str) -> ChannelResult:
        return ChannelResult(PENDING, reference, checkout_url=self.checkout_url(reference))

    async def payout(self, amount: int, reference: str) -> ChannelResult:
        return ChannelResult(SUCCEEDED, reference)
