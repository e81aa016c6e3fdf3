"""Sandbox channels that behave like a real test mode (DESIGN.md section 6).

Bank: any Luhn-valid card number works, except these deterministic faults (by the
card number's last four digits):

- ``0002``: declined (charges and payouts);
- ``0051``: the card's account lacks money (charges only);
- ``0091``: the bank does the charge or payout but the call times out (``ChannelTimeout``);
- ``0092``: the call times out and the bank does nothing.

Third party: checkouts are PENDING with a checkout URL; the provider confirms later
through the signed webhook (``POST /sandbox/checkout/{reference}/complete`` or ``/fail``
makes it do so); payouts succeed.

Both remember what they did per reference (table ``sandbox_channel_operations``, so any
process can ask), answer a repeated request for a reference with what they did the first
time (as a real rail deduplicates by reference), and ``query`` tells the truth afterwards.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from models.channels import SandboxChannelOperation

from ..cards.numbers import luhn_valid
from .base import DECLINED, FAILED, INSUFFICIENT, NOT_FOUND, PENDING, SUCCEEDED, ChannelResult, ChannelTimeout

DECLINED_SUFFIX = "0002"
INSUFFICIENT_SUFFIX = "0051"
DONE_THEN_TIMEOUT_SUFFIX = "0091"
TIMEOUT_SUFFIX = "0092"

CHARGE = "CHARGE"
PAYOUT = "PAYOUT"
CHECKOUT = "CHECKOUT"

_MESSAGES = {
    (CHARGE, DECLINED): "发卡行拒绝了本次扣款",
    (CHARGE, INSUFFICIENT): "银行卡余额不足",
    (PAYOUT, DECLINED): "收款银行卡状态异常，银行退回了本次付款",
    (CHECKOUT, FAILED): "第三方支付未完成付款",
}


def _result(op: SandboxChannelOperation) -> ChannelResult:
    return ChannelResult(op.status, op.reference, message=_MESSAGES.get((op.operation, op.status), ""))


async def _remember(provider: str, reference: str, operation: str, amount: int, status: str) -> ChannelResult:
    """Record what was done for ``reference``; a repeat answers the first outcome."""
    earlier = await SandboxChannelOperation.get_or_none(provider=provider, reference=reference)
    if earlier is None:
        try:
            earlier = await SandboxChannelOperation.create(
                provider=provider, reference=reference, operation=operation, amount=amount, status=status
            )
        except IntegrityError:  # the same reference, concurrently
            earlier = await SandboxChannelOperation.get(provider=provider, reference=reference)
    return _result(earlier)


async def _query(provider: str, reference: str) -> ChannelResult:
    op = await SandboxChannelOperation.get_or_none(provider=provider, reference=reference)
    return ChannelResult(NOT_FOUND, reference) if op is None else _result(op)


class SandboxBank:
    name = "sandbox-bank"

    async def _act(self, operation: str, card_number: str, amount: int, reference: str) -> ChannelResult:
        if card_number.endswith(TIMEOUT_SUFFIX):
            raise ChannelTimeout(f"{self.name} did not answer for {reference}")
        if not luhn_valid(card_number) or card_number.endswith(DECLINED_SUFFIX):
            status = DECLINED
        elif operation == CHARGE and card_number.endswith(INSUFFICIENT_SUFFIX):
            status = INSUFFICIENT
        else:
            status = SUCCEEDED
        result = await _remember(self.name, reference, operation, amount, status)
        if card_number.endswith(DONE_THEN_TIMEOUT_SUFFIX):
            raise ChannelTimeout(f"{self.name} acted on {reference} but the answer was lost")
        return result

    async def charge(self, card_number: str, amount: int, reference: str) -> ChannelResult:
        return await self._act(CHARGE, card_number, amount, reference)

    async def payout(self, card_number: str, amount: int, reference: str) -> ChannelResult:
        return await self._act(PAYOUT, card_number, amount, reference)

    async def query(self, reference: str) -> ChannelResult:
        return await _query(self.name, reference)


class SandboxThirdParty:
    name = "sandbox-third-party"

    def __init__(self, public_url: str) -> None:
        self._public_url = public_url.rstrip("/")

    def checkout_url(self, reference: str) -> str:
        return f"{self._public_url}/sandbox/checkout/{reference}"

    async def create_checkout(self, amount: int, reference: str, description: str) -> ChannelResult:
        await _remember(self.name, reference, CHECKOUT, amount, PENDING)
        return ChannelResult(PENDING, reference, checkout_url=self.checkout_url(reference))

    async def payout(self, amount: int, reference: str) -> ChannelResult:
        return await _remember(self.name, reference, PAYOUT, amount, SUCCEEDED)

    async def query(self, reference: str) -> ChannelResult:
        return await _query(self.name, reference)


async def checkout_finished(reference: str, succeeded: bool) -> None:
    """The sandbox payer finished (or abandoned) a checkout: ``query`` reports it from now on."""
    await SandboxChannelOperation.filter(
        provider=SandboxThirdParty.name, reference=reference, operation=CHECKOUT, status=PENDING
    ).update(status=SUCCEEDED if succeeded else FAILED)
