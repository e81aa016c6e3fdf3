"""Red packets through the public API: send holds the total, claims take one share each,
expiry returns exactly the unclaimed rest; the books reconcile after each."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from app.jobs.registry import run_once
from app.ledger.accounts import balance_of, system_account
from app.ledger.reconcile import reconcile
from models import Transaction
from tests.factories import fund, make_user, token_for, wallet_balance
from tests.harness.graphql import user_error_codes
from tests.social.support import CLAIM, PACKET, SEND, send_input


async def _clearing() -> int:
    return (await balance_of(await system_account("RED_PACKET_CLEARING"))).available


async def test_send_holds_the_total_at_once_and_claims_move_one_share_each(gql):
    sender, a, b = await make_user(), await make_user(), await make_user()
    await fund(sender, 100_00)
    sent = await gql.mutate(SEND, send_input("10.00", 3, "EVEN", greeting="恭喜发财"), token=token_for(sender))
    assert sent["errors"] == []
    packet = sent["redPacket"]
    assert (packet["amount"], packet["count"], packet["status"], packet["forOnePerson"]) == ("10.00", 3, "OPEN", False)
    assert sent["account"]["available"] == "90.00"
    assert await _clearing() == 10_00

    first = await gql.mutate(CLAIM, {"input": {"packetNo": packet["packetNo"]}}, token=token_for(a))
    assert first["errors"] == []
    assert (first["claim"]["seq"], first["claim"]["amount"]) == (1, "3.34")  # the remainder fen goes first
    assert first["account"]["available"] == "3.34"
    second = await gql.mutate(CLAIM, {"input": {"packetNo": packet["packetNo"]}}, token=token_for(b))
    assert second["claim"]["amount"] == "3.33"
    assert await wallet_balance(b) == (3_33, 0)
    assert await _clearing() == 3_33

    again = await gql.mutate(CLAIM, {"input": {"packetNo": packet["packetNo"]}}, token=token_for(a))
    assert user_error_codes(again) == ["RED_PACKET_ALREADY_CLAIMED"]
    assert again["errors"][0]["field"] == ["input", "packetNo"]
    seen = await gql.ok(PACKET, {"no": packet["packetNo"]}, token=token_for(sender))
    assert seen["redPacket"]["claimedCount"] == 2
    assert [c["amount"] for c in seen["redPacket"]["claims"]] == ["3.34", "3.33"]
    assert await Transaction.filter(type="RED_PACKET_CLAIM", status="SUCCEEDED").count() == 2
    assert (await reconcile()).clean


async def test_the_last_share_empties_the_packet_and_later_claimers_are_refused(gql):
    sender = await make_user()
    await fund(sender, 10_00)
    packet = (await gql.mutate(SEND, send_input("0.02", 2), token=token_for(sender)))["redPacket"]
    users = [await make_user() for _ in range(3)]
    results = [await gql.mutate(CLAIM, {"input": {"packetNo": packet["packetNo"]}}, token=token_for(u)) for u in users]
    assert [user_error_codes(r) for r in results] == [[], [], ["RED_PACKET_EMPTY"]]
    assert [r["claim"]["amount"] for r in results[:2]] == ["0.01", "0.01"]
    assert results[1]["redPacket"]["status"] == "EMPTY"
    assert await _clearing() == 0
    assert (await reconcile()).clean


async def test_a_packet_for_one_person_is_only_theirs(gql):
    sender, friend, stranger = await make_user(), await make_user(), await make_user()
    await fund(sender, 10_00)
    sent = await gql.mutate(SEND, send_input("5.00", 1, recipient=friend.phone), token=token_for(sender))
    packet = sent["redPacket"]
    assert packet["forOnePerson"] is True
    refused = await gql.mutate(CLAIM, {"input": {"packetNo": packet["packetNo"]}}, token=token_for(stranger))
    assert user_error_codes(refused) == ["NOT_FOUND"]
    assert (await gql.ok(PACKET, {"no": packet["packetNo"]}, token=token_for(stranger)))["redPacket"] is None
    taken = await gql.mutate(CLAIM, {"input": {"packetNo": packet["packetNo"]}}, token=token_for(friend))
    assert taken["claim"]["amount"] == "5.00"


async def test_expiry_returns_exactly_the_unclaimed_amount_once(gql):
    sender = await make_user()
    await fund(sender, 100_00)
    packet = (await gql.mutate(SEND, send_input("20.00", 10), token=token_for(sender)))["redPacket"]
    claimed = 0
    for _ in range(4):
        result = await gql.mutate(CLAIM, {"input": {"packetNo": packet["packetNo"]}}, token=token_for(await make_user()))
        claimed += round(float(result["claim"]["amount"]) * 100)  # test-side reading of the decimal string
    assert await wallet_balance(sender) == (80_00, 0)

    # Not yet due: nothing happens.
    await run_once(clock.now() + timedelta(hours=23))
    assert await wallet_balance(sender) == (80_00, 0)
    due = clock.now() + timedelta(hours=24, seconds=1)
    await run_once(due)
    await run_once(due + timedelta(minutes=5))  # a second run returns nothing more
    assert await wallet_balance(sender) == (80_00 + 20_00 - claimed, 0)
    seen = (await gql.ok(PACKET, {"no": packet["packetNo"]}, token=token_for(sender)))["redPacket"]
    assert seen["status"] == "EXPIRED"
    assert seen["claimedCount"] == 4
    assert seen["remainingAmount"] == "0.00"
    assert await Transaction.filter(type="RED_PACKET_REFUND").count() == 1
    assert await _clearing() == 0

    clock.set_now(due)
    late = await gql.mutate(CLAIM, {"input": {"packetNo": packet["packetNo"]}}, token=token_for(await make_user()))
    assert user_error_codes(late) == ["RED_PACKET_EXPIRED"]
    assert (await reconcile()).clean


async def test_sending_needs_the_payment_password_and_the_money(gql):
    sender = await make_user()
    await fund(sender, 5_00)
    wrong = send_input("1.00", 1)
    wrong["input"]["paymentPassword"] = "864209"
    assert user_error_codes(await gql.mutate(SEND, wrong, token=token_for(sender))) == ["INVALID_PAYMENT_PASSWORD"]
    poor = await gql.mutate(SEND, send_input("6.00", 2, key="poor"), token=token_for(sender))
    assert user_error_codes(poor) == ["INSUFFICIENT_FUNDS"]
    assert await wallet_balance(sender) == (5_00, 0)
    assert await Transaction.filter(type="RED_PACKET").count() == 0


async def test_share_bounds_and_inputs_are_checked(gql):
    sender = await make_user()
    await fund(sender, 1000_00)
    token = token_for(sender)
    too_small = await gql.mutate(SEND, send_input("0.09", 10), token=token)
    assert (user_error_codes(too_small), too_small["errors"][0]["field"]) == (["INVALID_AMOUNT"], ["input", "amount"])
    too_big = await gql.mutate(SEND, send_input("400.01", 2), token=token)  # > 2 x 200.00
    assert user_error_codes(too_big) == ["LIMIT_EXCEEDED"]
    bad_count = await gql.mutate(SEND, send_input("10.00", 0), token=token)
    assert (user_error_codes(bad_count), bad_count["errors"][0]["field"]) == (["VALIDATION_FAILED"], ["input", "count"])
    self_packet = await gql.mutate(SEND, send_input("1.00", 1, recipient=sender.phone), token=token)
    assert user_error_codes(self_packet) == ["VALIDATION_FAILED"]
    unknown = await gql.mutate(CLAIM, {"input": {"packetNo": "R2026nothing"}}, token=token)
    assert user_error_codes(unknown) == ["NOT_FOUND"]
    assert await wallet_balance(sender) == (1000_00, 0)


async def test_a_replayed_send_answers_the_first_packet_and_holds_once(gql):
    sender = await make_user()
    await fund(sender, 50_00)
    first = await gql.mutate(SEND, send_input("10.00", 5, key="same"), token=token_for(sender))
    again = await gql.mutate(SEND, send_input("10.00", 5, key="same"), token=token_for(sender))
    assert again["errors"] == []
    assert again["redPacket"]["packetNo"] == first["redPacket"]["packetNo"]
    assert await wallet_balance(sender) == (40_00, 0)
    reused = await gql.mutate(SEND, send_input("11.00", 5, key="same"), token=token_for(sender))
    assert user_error_codes(reused) == ["IDEMPOTENCY_KEY_REUSED"]


async def test_one_user_claiming_many_times_at_once_gets_one_share(gql):
    import asyncio

    sender, claimer = await make_user(), await make_user()
    await fund(sender, 10_00)
    packet = (await gql.mutate(SEND, send_input("5.00", 5), token=token_for(sender)))["redPacket"]
    results = await asyncio.gather(
        *(gql.mutate(CLAIM, {"input": {"packetNo": packet["packetNo"]}}, token=token_for(claimer)) for _ in range(8))
    )
    codes = sorted(tuple(user_error_codes(r)) for r in results)
    assert codes == [()] + [("RED_PACKET_ALREADY_CLAIMED",)] * 7
    seen = (await gql.ok(PACKET, {"no": packet["packetNo"]}, token=token_for(sender)))["redPacket"]
    assert seen["claimedCount"] == 1
    assert (await reconcile()).clean


async def test_red_packets_count_towards_the_daily_outgoing_limit(gql, platform, monkeypatch):
    from dataclasses import replace

    monkeypatch.setattr(platform, "settings", replace(platform.settings, risk_daily_out_limit_fen=10_00))
    sender = await make_user()
    await fund(sender, 100_00)
    assert (await gql.mutate(SEND, send_input("8.00", 2, key="a"), token=token_for(sender)))["errors"] == []
    over = await gql.mutate(SEND, send_input("3.00", 1, key="b"), token=token_for(sender))
    assert user_error_codes(over) == ["LIMIT_EXCEEDED"]
    assert await wallet_balance(sender) == (92_00, 0)
