"""External rails as a state machine, against the real sandbox channels in process:
refunds through the channels, the 0091/0092 faults, a raising adapter, and movements
the channel cannot resolve (CRITICAL alert once, reconcile break, money still held)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from app import clock
from app.channels import registry
from app.channels.base import ChannelResult
from app.jobs.registry import run_once
from app.ledger.reconcile import reconcile
from models import Transaction
from models.risk import RiskAlert
from tests.factories import fund, make_user, wallet_balance
from tests.money.rails_support import (
    GRACE_PASSED,
    Rails,
    assert_reconciled,
    faulty_cards_end_final,
    refunds_arrive_through_real_channels,
)
from tests.money.support import withdraw

# Wednesday 2026-03-04 10:00 China time, far from holidays.
WEDNESDAY = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)


async def _jobs(now: datetime) -> dict[str, str]:
    results = dict(await run_once(now))
    clock.set_now(now)  # run_once hands the clock back to real time; these tests live in 2026-03
    return results


@pytest.fixture
def rails(gql, http) -> Rails:  # noqa: ANN001
    clock.set_now(WEDNESDAY)
    return Rails(gql, http, _jobs)


async def test_card_and_third_party_refunds_arrive_through_the_sandbox_channels(rails):
    await refunds_arrive_through_real_channels(rails, WEDNESDAY)


async def test_0091_and_0092_cards_end_succeeded_or_failed_after_recovery(rails):
    await faulty_cards_end_final(rails, WEDNESDAY)


class NoAnswerProvider:
    """A provider adapter whose every call raises, as a rail that is down does."""

    async def create_checkout(self, amount: int, reference: str, description: str) -> ChannelResult:
        raise ConnectionError("provider unreachable")

    async def payout(self, amount: int, reference: str) -> ChannelResult:
        raise ConnectionError("provider unreachable")

    async def query(self, reference: str) -> ChannelResult:
        raise ConnectionError("provider unreachable")


@pytest.fixture
def provider_down() -> Iterator[None]:
    registry.install(third_party=NoAnswerProvider())
    yield
    registry.install()


async def test_a_payout_that_raises_stays_processing_and_holds_once(rails, provider_down):
    user = await make_user()
    await fund(user, 500_00)
    first = await withdraw(rails.gql, user, "100", channel="THIRD_PARTY", key="w-1")
    again = await withdraw(rails.gql, user, "100", channel="THIRD_PARTY", key="w-1")
    assert first["errors"] == [] and again["errors"] == [], (first, again)
    assert first["transaction"]["status"] == again["transaction"]["status"] == "PROCESSING"
    assert again["transaction"]["transactionNo"] == first["transaction"]["transactionNo"]
    assert await wallet_balance(user) == (400_00, 100_00)
    assert await Transaction.filter(type="WITHDRAWAL").count() == 1

    registry.install()  # the sandbox provider is back: it never received the payout
    await rails.jobs(WEDNESDAY + GRACE_PASSED)
    assert (await Transaction.get(type="WITHDRAWAL")).status == "FAILED"
    assert await wallet_balance(user) == (500_00, 0)
    await assert_reconciled()


async def test_an_unresolvable_movement_alerts_once_and_is_a_reconcile_break(rails, provider_down, test_env):
    user = await make_user()
    await fund(user, 300_00)
    out = await withdraw(rails.gql, user, "100", channel="THIRD_PARTY")
    number = out["transaction"]["transactionNo"]
    summary = (await rails.jobs(WEDNESDAY + GRACE_PASSED))["rail-recovery"]
    assert "still unknown 1" in summary and "alerts raised 0" in summary
    assert await RiskAlert.filter(type="PROCESSING_TOO_LONG").count() == 0
    assert (await reconcile()).clean

    late = WEDNESDAY + timedelta(hours=24, minutes=1)
    await rails.jobs(late)
    await rails.jobs(late + timedelta(hours=1))
    [alert] = await RiskAlert.filter(type="PROCESSING_TOO_LONG")
    assert alert.level == "CRITICAL" and number in alert.message
    assert await wallet_balance(user) == (200_00, 100_00)  # still held
    assert (await Transaction.get(transaction_no=number)).status == "PROCESSING"
    report = await reconcile()
    assert any("PROCESSING since" in line for line in report.breaks), report.breaks
    cli = subprocess.run(
        [sys.executable, "-m", "app.cli", "reconcile", "--now", (late + timedelta(hours=1)).isoformat()],
        env=_cli_env(test_env), capture_output=True, text=True, timeout=60,
    )
    assert cli.returncode == 1 and "PROCESSING since" in cli.stdout, cli.stdout + cli.stderr
    assert "Traceback" not in cli.stderr

    registry.install()  # the provider answers again: it never made the payout
    await rails.jobs(late + timedelta(hours=2))
    assert (await Transaction.get(transaction_no=number)).status == "FAILED"
    assert await wallet_balance(user) == (300_00, 0)
    await assert_reconciled()


def _cli_env(test_env: dict[str, str]) -> dict[str, str]:
    import os

    return {**os.environ, **test_env}
