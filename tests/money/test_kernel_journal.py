"""The kernel's journal (app/ledger/journal.py ``post``) on its own: what it refuses before
writing, and what a refusal leaves behind (nothing), on SQLite and on PostgreSQL (where a
journal with one wallet is one statement). test_kernel.py covers a movement end to end;
test_ledger_guards.py the database's own triggers."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import pytest

from app.errors import DomainError, ErrorCode
from app.events.outbox import unit_of_work
from app.ledger import journal
from app.ledger.accounts import Balance, system_account, wallet_of
from app.ledger.journal import HELD, HOLD, RELEASE, Leg
from app.ledger.reconcile import reconcile
from models import Account, Journal, Posting
from tests.factories import fund, make_user, wallet_balance


async def _post(legs: Sequence[Leg], **options: object) -> dict[int, Balance]:
    """``journal.post`` in its own unit of work (committed unless it raises)."""
    async with unit_of_work() as uow:
        return await journal.post(uow.conn, list(legs), **options)  # type: ignore[arg-type]


async def _foreign_account(currency: str) -> Account:
    """A system position account kept in ``currency`` (what a cross-border payment posts to)."""
    return await Account.create(
        account_no=f"FX{secrets.token_hex(6)}", kind="SYSTEM", name=f"{currency} position", currency=currency
    )


async def _ledger_size() -> tuple[int, int]:
    return await Journal.all().count(), await Posting.all().count()


async def test_legs_summing_to_zero_across_currencies_are_refused_and_nothing_is_written():
    """CNY -5.00 against JPY +500 sums to zero as numbers but takes CNY out of nothing."""
    user = await make_user()
    await fund(user, 100_00)
    wallet, bank, yen = await wallet_of(user.id), await system_account("BANK_CLEARING"), await _foreign_account("JPY")
    before = await _ledger_size()
    assert not journal.balanced_per_currency([Leg(wallet, -5_00), Leg(yen, 5_00)])
    with pytest.raises(journal.UnbalancedJournal):
        await _post([Leg(wallet, -5_00), Leg(yen, 5_00)])
    with pytest.raises(journal.UnbalancedJournal):  # one currency balanced, the other not
        await _post([Leg(wallet, -5_00), Leg(bank, 5_00), Leg(yen, 7_50)])
    assert await _ledger_size() == before
    assert await wallet_balance(user) == (100_00, 0)

    # Each currency balanced on its own (through a second JPY position) is one journal.
    yen_clearing = await _foreign_account("JPY")
    moved = await _post([Leg(wallet, -5_00), Leg(bank, 5_00), Leg(yen, -7_50), Leg(yen_clearing, 7_50)])
    assert moved == {wallet.id: Balance(95_00, 0)}
    assert await _ledger_size() == (before[0] + 1, before[1] + 4)
    assert (await reconcile()).clean


@pytest.mark.parametrize(
    "amounts",
    [
        pytest.param((), id="no legs"),
        pytest.param((0,), id="one leg"),
        pytest.param((-3_00, 2_99), id="off by one fen"),
        pytest.param((-1.5, 1.5), id="fractional fen"),
    ],
)
async def test_a_journal_that_is_not_two_or_more_integer_legs_summing_to_zero_is_refused(amounts):
    user = await make_user()
    await fund(user, 10_00)
    accounts = [await wallet_of(user.id), await system_account("BANK_CLEARING")]
    before = await _ledger_size()
    with pytest.raises(journal.UnbalancedJournal):
        await _post([Leg(account, amount) for account, amount in zip(accounts, amounts, strict=False)])  # type: ignore[arg-type]
    assert await _ledger_size() == before
    assert await wallet_balance(user) == (10_00, 0)


async def test_a_refusal_of_the_second_wallet_rolls_back_the_first_one_already_moved():
    """Wallets move in account-id order: the lower one is debited, then the higher one cannot
    pay; the whole journal rolls back, the first debit included."""
    rich, poor = await make_user(), await make_user()
    await fund(rich, 50_00)
    await fund(poor, 1_00)
    first, second = await wallet_of(rich.id), await wallet_of(poor.id)
    assert first.id < second.id  # so the refusal comes after the rich wallet's UPDATE
    bank = await system_account("BANK_CLEARING")
    before = await _ledger_size()
    with pytest.raises(DomainError) as refused:
        await _post([Leg(first, -2_00), Leg(second, -2_00), Leg(bank, 4_00)])
    assert refused.value.code is ErrorCode.INSUFFICIENT_FUNDS and refused.value.field == ("input", "amount")
    assert await _ledger_size() == before
    assert (await wallet_balance(rich), await wallet_balance(poor)) == ((50_00, 0), (1_00, 0))
    assert (await reconcile()).clean


async def test_post_answers_the_new_balance_of_every_wallet_it_touched_and_none_for_others():
    alice, bob = await make_user(), await make_user()
    await fund(alice, 30_00)
    source, target = await wallet_of(alice.id), await wallet_of(bob.id)
    moved = await _post([Leg(source, -12_34), Leg(target, 12_34)])
    assert moved == {source.id: Balance(17_66, 0), target.id: Balance(12_34, 0)}
    assert (await wallet_balance(alice), await wallet_balance(bob)) == ((17_66, 0), (12_34, 0))
    # A journal between system accounts locks no wallet and answers no balance, yet is written.
    before = await _ledger_size()
    bank, provider = await system_account("BANK_CLEARING"), await system_account("THIRD_PARTY_CLEARING")
    assert await _post([Leg(bank, -1_00), Leg(provider, 1_00)], memo="clearing") == {}
    assert await _ledger_size() == (before[0] + 1, before[1] + 2)
    written = await Journal.get(memo="clearing")
    assert sorted(p.amount for p in await Posting.filter(journal_id=written.id)) == [-1_00, 1_00]


async def test_a_hold_and_its_release_move_money_between_buckets_and_never_below_zero():
    user = await make_user()
    await fund(user, 10_00)
    wallet = await wallet_of(user.id)
    held = await _post([Leg(wallet, -4_00), Leg(wallet, 4_00, HELD)], kind=HOLD)
    assert held == {wallet.id: Balance(6_00, 4_00)}
    before = await _ledger_size()
    for legs in (
        [Leg(wallet, 4_01), Leg(wallet, -4_01, HELD)],  # release more than is held
        [Leg(wallet, -6_01), Leg(wallet, 6_01, HELD)],  # hold more than is available
    ):
        with pytest.raises(DomainError) as refused:
            await _post(legs, kind=RELEASE)
        assert refused.value.code is ErrorCode.INSUFFICIENT_FUNDS
    assert await _ledger_size() == before
    assert await wallet_balance(user) == (6_00, 4_00)
    assert await _post([Leg(wallet, 4_00), Leg(wallet, -4_00, HELD)], kind=RELEASE) == {wallet.id: Balance(10_00, 0)}
    assert [j.kind for j in await Journal.all().order_by("id")] == ["POST", HOLD, RELEASE]
    assert (await reconcile()).clean


async def test_the_maximum_balance_refuses_only_money_that_would_lift_a_wallet_above_it():
    user = await make_user()
    await fund(user, 900_00)
    wallet, bank = await wallet_of(user.id), await system_account("BANK_CLEARING")
    before = await _ledger_size()
    with pytest.raises(DomainError) as refused:
        await _post([Leg(bank, -100_01), Leg(wallet, 100_01)], max_wallet_balance=1_000_00)
    assert refused.value.code is ErrorCode.AMOUNT_TOO_LARGE and refused.value.field == ("input", "amount")
    assert await _ledger_size() == before and await wallet_balance(user) == (900_00, 0)
    # Without the cap (cap_balance=False movements, e.g. a refund) the same credit is written.
    assert await _post([Leg(bank, -100_01), Leg(wallet, 100_01)]) == {wallet.id: Balance(1_000_01, 0)}
    # A wallet already above the cap may still spend and hold: only growth is refused.
    assert await _post([Leg(wallet, -1), Leg(bank, 1)], max_wallet_balance=1_000_00) == {wallet.id: Balance(1_000_00, 0)}
    held = await _post([Leg(wallet, -50_00), Leg(wallet, 50_00, HELD)], kind=HOLD, max_wallet_balance=500_00)
    assert held == {wallet.id: Balance(950_00, 50_00)}
    # Overdrawing under a cap is still INSUFFICIENT_FUNDS, not AMOUNT_TOO_LARGE.
    with pytest.raises(DomainError) as overdrawn:
        await _post([Leg(wallet, -950_01), Leg(bank, 950_01)], max_wallet_balance=500_00)
    assert overdrawn.value.code is ErrorCode.INSUFFICIENT_FUNDS
    assert (await reconcile()).clean
