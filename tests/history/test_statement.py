"""Transaction queries (seed 5.1): own rows only, newest first, three-month window, filters,
exact lookup, Relay pagination, and who may read an account's statement."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from app import clock
from app.history.window import months_before, window_start
from models import Account
from resolvers.context import RequestContext
from resolvers.history import account_statement
from tests.factories import fund, make_merchant, make_staff, make_user, token_for, transfer, wallet_payment
from tests.history.docs import MERCHANT_STATEMENT, STATEMENT, WALLET_STATEMENT, statement


@pytest.fixture
async def scene():
    """Alice tops up, pays a shop, sends Bob money and receives some from Bob."""
    alice = await make_user(real_name="张三")
    bob = await make_user(real_name="王五")
    # A letters-only merchant number: the counterparty search below never matches a phone digit.
    shop, _ = await make_merchant("好再来餐厅", merchant_no="SHOPHAOZAI")
    top_up = await fund(alice, 100_000)
    bob_top_up = await fund(bob, 50_000)
    payment = await wallet_payment(alice, shop, 12_000)
    sent = await transfer(alice, bob, 5_000)
    received = await transfer(bob, alice, 3_000)
    return {
        "alice": alice, "bob": bob, "shop": shop, "bob_top_up": bob_top_up,
        "top_up": top_up, "payment": payment, "sent": sent, "received": received,
    }


async def test_own_rows_newest_first_with_direction_and_counterparty(gql, scene):
    data = await statement(gql, token_for(scene["alice"]))
    got = [(r["transactionNo"], r["type"], r["direction"], r["amount"]) for r in data_rows(data)]
    assert got == [
        (scene["received"].transaction_no, "TRANSFER", "IN", "30.00"),
        (scene["sent"].transaction_no, "TRANSFER", "OUT", "50.00"),
        (scene["payment"].transaction_no, "PAYMENT", "OUT", "120.00"),
        (scene["top_up"].transaction_no, "TOP_UP", "IN", "1000.00"),
    ]
    assert data["totalCount"] == 4
    by_no = {r["transactionNo"]: r for r in data_rows(data)}
    # The receiving side sees the sender (masked), the sending side sees the recipient.
    bob_phone = scene["bob"].phone
    assert by_no[scene["received"].transaction_no]["counterparty"] == {"name": "王*", "account": f"{bob_phone[:3]}****{bob_phone[-4:]}"}
    assert by_no[scene["sent"].transaction_no]["counterparty"]["name"] == "王*"
    assert by_no[scene["payment"].transaction_no]["counterparty"]["name"] == "好再来餐厅"
    assert all(r["status"] == "SUCCEEDED" and r["createdAt"] for r in data_rows(data))


def data_rows(connection: dict) -> list[dict]:
    return [edge["node"] for edge in connection["edges"]]


async def test_wallet_account_field_gives_the_same_rows(gql, scene):
    data = await gql.ok(WALLET_STATEMENT, token=token_for(scene["alice"]))
    via_account = data["viewer"]["account"]["transactions"]
    direct = await statement(gql, token_for(scene["alice"]))
    assert [r["transactionNo"] for r in data_rows(via_account)] == [r["transactionNo"] for r in data_rows(direct)]
    assert via_account["totalCount"] == 4


async def test_other_users_see_only_their_own_rows(gql, scene):
    bob_rows = data_rows(await statement(gql, token_for(scene["bob"])))
    assert [r["transactionNo"] for r in bob_rows] == [
        scene["received"].transaction_no, scene["sent"].transaction_no, scene["bob_top_up"].transaction_no,
    ]
    stranger = await make_user()
    empty = await statement(gql, token_for(stranger))
    assert empty["totalCount"] == 0 and empty["edges"] == []
    # Direction is per viewer: what Alice sent is incoming for Bob.
    assert {r["transactionNo"]: r["direction"] for r in bob_rows}[scene["sent"].transaction_no] == "IN"


async def test_anonymous_callers_are_refused(gql):
    result = await gql(STATEMENT)
    assert result.error_codes() == ["UNAUTHENTICATED"]


async def test_window_is_three_months_and_an_earlier_from_is_clipped(gql):
    alice = await make_user()
    shop, _ = await make_merchant()
    now = clock.now()
    await fund(alice, 100_000)
    old = await wallet_payment(alice, shop, 100, created_at=months_before(now, 3) - timedelta(hours=1))
    inside = await wallet_payment(alice, shop, 200, created_at=months_before(now, 3) + timedelta(hours=1))
    token = token_for(alice)
    plain = await statement(gql, token)
    numbers = {r["transactionNo"] for r in data_rows(plain)}
    assert inside.transaction_no in numbers and old.transaction_no not in numbers
    clipped = await statement(gql, token, filter={"from": (now - timedelta(days=400)).isoformat()})
    assert {r["transactionNo"] for r in data_rows(clipped)} == numbers
    assert clipped["totalCount"] == plain["totalCount"] == 2
    # Exact lookup does not reach past the window either.
    past = await statement(gql, token, filter={"transactionNo": old.transaction_no})
    assert past["totalCount"] == 0


async def test_time_range_is_inclusive(gql):
    alice = await make_user()
    shop, _ = await make_merchant()
    await fund(alice, 100_000)
    base = clock.now() - timedelta(days=10)
    made = [await wallet_payment(alice, shop, 100 + i, created_at=base + timedelta(days=i)) for i in range(5)]
    data = await statement(
        gql, token_for(alice),
        filter={"from": (base + timedelta(days=1)).isoformat(), "to": (base + timedelta(days=3)).isoformat()},
    )
    assert [r["transactionNo"] for r in data_rows(data)] == [t.transaction_no for t in reversed(made[1:4])]
    assert data["totalCount"] == 3


async def test_type_and_status_filters(gql, scene):
    alice = scene["alice"]
    failed = await wallet_payment(alice, scene["shop"], 700, status="FAILED")
    token = token_for(alice)
    transfers = await statement(gql, token, filter={"types": ["TRANSFER"]})
    assert {r["transactionNo"] for r in data_rows(transfers)} == {
        scene["sent"].transaction_no, scene["received"].transaction_no,
    }
    payments = await statement(gql, token, filter={"types": ["PAYMENT", "TOP_UP"], "statuses": ["SUCCEEDED"]})
    assert {r["transactionNo"] for r in data_rows(payments)} == {
        scene["payment"].transaction_no, scene["top_up"].transaction_no,
    }
    failures = await statement(gql, token, filter={"statuses": ["FAILED"]})
    assert [r["transactionNo"] for r in data_rows(failures)] == [failed.transaction_no]
    assert failures["totalCount"] == 1


async def test_amount_range_is_inclusive_and_checked(gql, scene):
    token = token_for(scene["alice"])
    data = await statement(gql, token, filter={"minAmount": "30.00", "maxAmount": "120.00"})
    assert {r["amount"] for r in data_rows(data)} == {"30.00", "50.00", "120.00"}
    assert data["totalCount"] == 3
    above = await statement(gql, token, filter={"minAmount": "120.01"})
    assert {r["amount"] for r in data_rows(above)} == {"1000.00"}
    wrong = await gql(STATEMENT, {"filter": {"minAmount": "50.00", "maxAmount": "10.00"}}, token=token)
    assert wrong.error_codes() == ["VALIDATION_FAILED"]
    assert wrong.errors[0]["extensions"]["field"] == ["filter", "minAmount"]
    negative = await gql(STATEMENT, {"filter": {"maxAmount": "-1.00"}}, token=token)
    assert negative.error_codes() == ["INVALID_AMOUNT"]


async def test_exact_lookup_by_transaction_number(gql, scene):
    token = token_for(scene["alice"])
    data = await statement(gql, token, filter={"transactionNo": f"  {scene['payment'].transaction_no} "})
    assert [r["transactionNo"] for r in data_rows(data)] == [scene["payment"].transaction_no]
    assert data["totalCount"] == 1
    # Someone else's number finds nothing.
    other = await make_user()
    await fund(other, 1_000)
    theirs = await statement(gql, token_for(other), filter={"transactionNo": scene["payment"].transaction_no})
    assert theirs["totalCount"] == 0 and theirs["edges"] == []


async def test_counterparty_text_matches_what_each_side_sees(gql, scene):
    alice_token, bob_token = token_for(scene["alice"]), token_for(scene["bob"])
    by_name = await statement(gql, alice_token, filter={"counterparty": "再来"})
    assert [r["transactionNo"] for r in data_rows(by_name)] == [scene["payment"].transaction_no]
    by_shop_ref = await statement(gql, alice_token, filter={"counterparty": scene["shop"].merchant_no[-4:]})
    assert [r["transactionNo"] for r in data_rows(by_shop_ref)] == [scene["payment"].transaction_no]
    bob_tail = scene["bob"].phone[-4:]
    both_ways = await statement(gql, alice_token, filter={"counterparty": bob_tail})
    assert {r["transactionNo"] for r in data_rows(both_ways)} == {
        scene["sent"].transaction_no, scene["received"].transaction_no,
    }
    # Bob sees Alice as "张*" on both transfers, and never matches on his own name.
    alice_seen_by_bob = await statement(gql, bob_token, filter={"counterparty": "张*"})
    assert {r["transactionNo"] for r in data_rows(alice_seen_by_bob)} == {
        scene["sent"].transaction_no, scene["received"].transaction_no,
    }
    himself = await statement(gql, bob_token, filter={"counterparty": "王*"})
    assert himself["totalCount"] == 0
    # LIKE wildcards are literal text.
    wildcard = await statement(gql, alice_token, filter={"counterparty": "%"})
    assert wildcard["totalCount"] == 0


async def test_forward_pages_visit_every_row_once_even_as_rows_arrive(gql):
    alice = await make_user()
    shop, _ = await make_merchant()
    await fund(alice, 1_000_000)
    made = [await wallet_payment(alice, shop, 100 + i) for i in range(44)]
    expected = [t.transaction_no for t in reversed(made)] + [None]  # the top-up is oldest
    token = token_for(alice)
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = await statement(gql, token, first=10, after=after)
        assert page["totalCount"] == 45 + (1 if pages else 0)
        seen += [r["transactionNo"] for r in data_rows(page)]
        pages += 1
        if pages == 1:
            # A new row arriving between pages does not shift the cursor.
            await wallet_payment(alice, shop, 999)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert page["pageInfo"]["hasPreviousPage"] == (pages > 1)
    assert pages == 5
    assert len(seen) == len(set(seen)) == 45
    assert seen[:44] == expected[:44]


async def test_backward_pages_visit_every_row_once(gql):
    alice = await make_user()
    shop, _ = await make_merchant()
    await fund(alice, 1_000_000)
    made = [await wallet_payment(alice, shop, 100 + i) for i in range(25)]
    token = token_for(alice)
    collected: list[str] = []
    before = None
    while True:
        page = await statement(gql, token, last=7, before=before)
        numbers = [r["transactionNo"] for r in data_rows(page)]
        collected = numbers + collected
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert len(collected) == len(set(collected)) == 26
    assert collected[:25] == [t.transaction_no for t in reversed(made)]
    full = await statement(gql, token, first=100)
    assert [r["transactionNo"] for r in data_rows(full)] == collected


async def test_page_size_limit_and_bad_cursor_are_clear_errors(gql, scene):
    token = token_for(scene["alice"])
    for variables, field in (({"first": 101}, "first"), ({"last": 500}, "last"), ({"first": -1}, "first")):
        result = await gql(STATEMENT, variables, token=token)
        assert result.error_codes() == ["VALIDATION_FAILED"]
        assert result.errors[0]["extensions"]["field"] == [field]
        assert "100" in result.errors[0]["message"]
    ok = await statement(gql, token, first=100)
    assert ok["totalCount"] == 4
    bad = await gql(STATEMENT, {"after": "not-a-cursor"}, token=token)
    assert bad.error_codes() == ["VALIDATION_FAILED"]


async def test_merchant_owner_sees_the_merchant_account_rows(gql, scene):
    owner_token = token_for(await scene["shop"].owner)
    data = await gql.ok(MERCHANT_STATEMENT, token=owner_token)
    shop_rows = data_rows(data["viewer"]["merchant"]["account"]["transactions"])
    assert [(r["transactionNo"], r["direction"]) for r in shop_rows] == [(scene["payment"].transaction_no, "IN")]
    # The shop sees the payer masked, and no refundable amount (only the payer may ask).
    assert shop_rows[0]["counterparty"]["name"] == "张*"
    assert shop_rows[0]["refundableAmount"] == "0.00"


async def _as(user) -> RequestContext:  # noqa: ANN001
    return RequestContext(authorization=f"Bearer {token_for(user)}") if user else RequestContext()


async def test_account_statement_is_empty_for_strangers_and_open_to_staff(scene):
    wallet = await Account.get(user_id=scene["alice"].id, kind="WALLET")
    shop_account = await Account.get(id=scene["shop"].account_id)
    stranger = await make_user()
    for viewer, account in ((stranger, wallet), (scene["bob"], wallet), (stranger, shop_account), (None, wallet)):
        page = await account_statement(await _as(viewer), account, None, first=None, after=None, last=None, before=None)
        assert page.items == [] and page.total == 0
    support = await make_staff("SUPPORT")
    page = await account_statement(await _as(support), wallet, None, first=None, after=None, last=None, before=None)
    assert page.total == 4
    page = await account_statement(await _as(support), shop_account, None, first=None, after=None, last=None, before=None)
    assert [t.id for t in page.items] == [scene["payment"].id]


def test_window_start_is_three_calendar_months_on_the_china_clock():
    from datetime import datetime

    # 2026-05-31 10:00 China time -> 2026-02-28 10:00 China time.
    assert window_start(datetime(2026, 5, 31, 2, 0, tzinfo=UTC)) == datetime(2026, 2, 28, 2, 0, tzinfo=UTC)
    # 2026-01-15 01:00 China time is 2026-01-14 17:00 UTC -> 2025-10-15 01:00 China time.
    assert window_start(datetime(2026, 1, 14, 17, 0, tzinfo=UTC)) == datetime(2025, 10, 14, 17, 0, tzinfo=UTC)
