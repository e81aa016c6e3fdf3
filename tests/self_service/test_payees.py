"""Saved payees (add, list, remove; only one's own) and recent recipients from history."""

from __future__ import annotations

from app.ledger.accounts import wallet_of
from models.payees import SavedPayee
from tests.factories import DEFAULT_PIN, fund, make_user, token_for
from tests.payments.support import TRANSFER

ADD = """
mutation($recipient: String!, $alias: String) { addPayee(input: {recipient: $recipient, alias: $alias}) {
  payee { id alias name phone accountNo closed } errors { code message field } } }"""
REMOVE = """mutation($id: ID!) { removePayee(input: {payeeId: $id}) { ok errors { code message field } } }"""
LIST = "{ payees { id alias name phone accountNo closed } }"
RECENT = "query($n: Int) { recentRecipients(first: $n) { name phone accountNo lastAmount } }"


def _codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def test_add_list_and_remove_payees(gql):
    alice = await make_user()
    bob = await make_user(real_name="李大牛")
    carol = await make_user()
    token = token_for(alice)
    bob_wallet = await wallet_of(bob.id)

    added = await gql.mutate(ADD, {"recipient": bob.phone, "alias": "老李"}, token=token)
    assert added["errors"] == []
    payee = added["payee"]
    assert payee["name"] == "李**" and payee["phone"] == bob.phone[:3] + "****" + bob.phone[-4:]
    assert payee["accountNo"] == bob_wallet.account_no and payee["alias"] == "老李" and payee["closed"] is False
    # The same recipient by account number is the same payee (alias updated), not a second row.
    again = await gql.mutate(ADD, {"recipient": bob_wallet.account_no, "alias": "李哥"}, token=token)
    assert again["payee"]["id"] == payee["id"] and again["payee"]["alias"] == "李哥"
    assert (await gql.mutate(ADD, {"recipient": carol.phone}, token=token))["errors"] == []
    listed = (await gql.ok(LIST, token=token))["payees"]
    assert [p["accountNo"] for p in listed] == [(await wallet_of(carol.id)).account_no, bob_wallet.account_no]
    # No one else's phone number is stored with the user's payees.
    stored = await SavedPayee.filter(user_id=alice.id).values()
    assert bob.phone not in str(stored) and carol.phone not in str(stored)

    # Refusals.
    assert _codes(await gql.mutate(ADD, {"recipient": alice.phone}, token=token)) == ["VALIDATION_FAILED"]
    assert _codes(await gql.mutate(ADD, {"recipient": "13900009999"}, token=token)) == ["NOT_FOUND"]
    assert _codes(await gql.mutate(ADD, {"recipient": "hello"}, token=token)) == ["VALIDATION_FAILED"]
    assert _codes(await gql.mutate(ADD, {"recipient": carol.phone, "alias": "长" * 31}, token=token)) == [
        "VALIDATION_FAILED"]
    # Bob cannot remove Alice's payee; Alice can, once.
    assert _codes(await gql.mutate(REMOVE, {"id": payee["id"]}, token=token_for(bob))) == ["NOT_FOUND"]
    assert await gql.mutate(REMOVE, {"id": payee["id"]}, token=token) == {"ok": True, "errors": []}
    assert _codes(await gql.mutate(REMOVE, {"id": payee["id"]}, token=token)) == ["NOT_FOUND"]
    assert _codes(await gql.mutate(REMOVE, {"id": "bm9wZQ"}, token=token)) == ["NOT_FOUND"]
    assert [p["accountNo"] for p in (await gql.ok(LIST, token=token))["payees"]] == [
        (await wallet_of(carol.id)).account_no]
    assert (await gql.ok(LIST, token=token_for(bob)))["payees"] == []


async def test_recent_recipients_come_from_succeeded_transfers(gql):
    alice, bob, carol, dave = await make_user(), await make_user(), await make_user(), await make_user()
    await fund(alice, 100_00)
    token = token_for(alice)
    for n, (who, amount) in enumerate(((bob, "1.00"), (carol, "2.00"), (bob, "3.00"))):
        sent = await gql.mutate(TRANSFER, {"input": {"recipient": who.phone, "amount": amount,
                                                     "paymentPassword": DEFAULT_PIN, "idempotencyKey": f"k{n}"}},
                                token=token)
        assert sent["errors"] == []
    # A transfer received does not make a recent recipient.
    await fund(dave, 10_00)
    got = await gql.mutate(TRANSFER, {"input": {"recipient": alice.phone, "amount": "1.00",
                                                "paymentPassword": DEFAULT_PIN, "idempotencyKey": "d"}},
                           token=token_for(dave))
    assert got["errors"] == []
    recent = (await gql.ok(RECENT, {"n": 10}, token=token))["recentRecipients"]
    assert [(r["accountNo"], r["lastAmount"]) for r in recent] == [
        ((await wallet_of(bob.id)).account_no, "3.00"), ((await wallet_of(carol.id)).account_no, "2.00")]
    assert bob.phone not in str(recent)
    assert len((await gql.ok(RECENT, {"n": 1}, token=token))["recentRecipients"]) == 1


async def test_recent_recipients_refuses_a_page_size_outside_1_to_20(gql):
    user = await make_user()
    for n in (0, 21, 100000):
        result = await gql(RECENT, {"n": n}, token=token_for(user))
        assert result.data is None or result.data.get("recentRecipients") is None
        assert [e["extensions"]["code"] for e in result.errors] == ["VALIDATION_FAILED"], result.errors
