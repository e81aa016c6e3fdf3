"""Fixtures of the money tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.channels import registry
from app.channels.base import ChannelResult


class RefusingThirdParty:
    """A provider that refuses everything (a test double installed through the channel registry)."""

    async def create_checkout(self, amount: int, reference: str, description: str) -> ChannelResult:
        return ChannelResult("FAILED", reference, message="渠道维护中")

    async def payout(self, amount: int, reference: str) -> ChannelResult:
        return ChannelResult("FAILED", reference, message="收款账户异常")


@pytest.fixture
def refusing_provider() -> Iterator[None]:
    registry.install(third_party=RefusingThirdParty())
    yield
    registry.install()
