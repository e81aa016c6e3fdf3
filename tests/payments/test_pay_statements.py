"""A money payload carries the balance its journal just wrote: `pay` asking for the account's
balance, available and frozen sends no more SQL statements than `pay` without them (issue 20
item 5), and the figures are the committed ones. On PostgreSQL a `pay` sends at most
``MAX_PAY_STATEMENTS`` statements (issue 24): the money kernel writes the transaction row, the
journal, the idempotency record, the risk decision, the outbox event and the SMS in one statement,
which also reads the risk figures."""

from __future__ import annotations

from tests.conftest import PG_URL
from tests.factories import DEFAULT_PIN, fund, make_merchant, make_user, token_for, wallet_balance
from tests.harness.statements import counted_statements

MAX_PAY_STATEMENTS = 7
"""viewer, payer and merchant (wallet + lock state + key probe + merchant with its account), BEGIN,
the wallet's lock, the movement's one statement (risk figures, transaction, journal, key, ALLOW
decision, event, SMS), COMMIT, then the published mark (group-written, alone here)."""

WITHOUT_BALANCE = """mutation($input: PayInput!) { pay(input: $input) {
  transaction { transactionNo status } account { accountNo } errors { code } } }"""
WITH_BALANCE = """mutation($input: PayInput!) { pay(input: $input) {
  transaction { transactionNo status } account { accountNo balance available frozen } errors { code } } }"""


def pay_input(merchant_no: str, key: str) -> dict:
    return {"input": {"merchantNo": merchant_no, "amount": "1.25", "channel": "WALLET_BALANCE",
                      "paymentPassword": DEFAULT_PIN, "idempotencyKey": key}}


async def test_asking_for_the_balance_after_pay_sends_no_extra_statement(gql, monkeypatch):
    merchant, _owner = await make_merchant("统计咖啡")
    payer = await make_user()
    await fund(payer, 10_00)
    token = token_for(payer)
    await gql.mutate(WITHOUT_BALANCE, pay_input(merchant.merchant_no, "warm"), token=token)  # caches

    with counted_statements(monkeypatch) as without:
        plain = await gql.mutate(WITHOUT_BALANCE, pay_input(merchant.merchant_no, "plain"), token=token)
    with counted_statements(monkeypatch) as full:
        rich = await gql.mutate(WITH_BALANCE, pay_input(merchant.merchant_no, "rich"), token=token)

    assert plain["errors"] == [] and rich["errors"] == []
    assert without[0] > 0
    if PG_URL:
        assert without[0] <= MAX_PAY_STATEMENTS, without[0]
    assert full[0] <= without[0], (full[0], without[0])
    assert rich["account"] == {"accountNo": plain["account"]["accountNo"], "balance": "6.25",
                               "available": "6.25", "frozen": "0.00"}
    assert await wallet_balance(payer) == (6_25, 0)

    # A replay answers the balance as it is now, read once for the three fields.
    with counted_statements(monkeypatch) as replayed:
        again = await gql.mutate(WITH_BALANCE, pay_input(merchant.merchant_no, "rich"), token=token)
    assert again["transaction"] == rich["transaction"] and again["account"] == rich["account"]
    assert replayed[0] > 0
