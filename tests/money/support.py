"""Set-up and GraphQL documents shared by the money tests."""

from __future__ import annotations

import secrets
from typing import Any

from app import crypto
from app.identity.codes import send_code
from app.ledger.accounts import wallet_of
from app.ledger.journal import Leg
from app.ledger.kernel import AfterWrite, Key, Movement, Notice
from app.ledger.reconcile import reconcile
from app.risk.check import Outgoing
from models import Account, Journal, Merchant, Transaction, User
from tests.factories import DEFAULT_PIN, card_number, latest_code, next_phone, token_for
from tests.harness.graphql import GraphQLClient

ADD_CARD = """
mutation($input: AddBankCardInput!) {
  addBankCard(input: $input) {
    bankCard { id bankName maskedNumber last4 holderName isDefault }
    errors { code message field }
  }
}"""

REMOVE_CARD = """
mutation($input: RemoveBankCardInput!) {
  removeBankCard(input: $input) { ok errors { code message field } }
}"""

TX_FIELDS = """
  transactionNo type status direction amount fee channel description checkoutUrl
  expectedArrivalAt completedAt counterparty { name account }
"""

TOP_UP = f"""
mutation($input: TopUpInput!) {{
  topUp(input: $input) {{
    transaction {{ id {TX_FIELDS} }}
    account {{ available frozen balance }}
    errors {{ code message field }}
  }}
}}"""

WITHDRAW = f"""
mutation($input: WithdrawInput!) {{
  withdraw(input: $input) {{
    transaction {{ id {TX_FIELDS} }}
    account {{ available frozen balance }}
    errors {{ code message field }}
  }}
}}"""

def real_name_of(user: User) -> tuple[str, str]:
    return crypto.decrypt(user.real_name_enc), crypto.decrypt(user.id_number_enc)


async def card_input(user: User, number: str, *, phone: str | None = None, code: str | None = None) -> dict[str, Any]:
    name, id_number = real_name_of(user)
    phone = phone or next_phone()
    if code is None:
        await send_code(phone, "BIND_BANK_CARD")
        code = await latest_code(phone, "BIND_BANK_CARD")
    return {
        "cardNumber": number,
        "holderName": name,
        "idNumber": id_number,
        "phone": phone,
        "verificationCode": code,
    }


async def bind_card(gql: GraphQLClient, user: User, number: str | None = None) -> str:
    """Bind a card through the API; returns its global id."""
    payload = await gql.mutate(
        ADD_CARD, {"input": await card_input(user, number or card_number())}, token=token_for(user)
    )
    assert payload["errors"] == [], payload["errors"]
    return payload["bankCard"]["id"]


async def top_up(
    gql: GraphQLClient,
    user: User,
    amount: str,
    *,
    channel: str = "BANK_CARD",
    card: str | None = None,
    key: str | None = None,
) -> dict[str, Any]:
    variables = {"amount": amount, "channel": channel, "idempotencyKey": key or secrets.token_hex(8)}
    if card is not None:
        variables["bankCardId"] = card
    return await gql.mutate(TOP_UP, {"input": variables}, token=token_for(user))


async def withdraw(
    gql: GraphQLClient,
    user: User,
    amount: str,
    *,
    channel: str = "BANK_CARD",
    card: str | None = None,
    key: str | None = None,
    pin: str = DEFAULT_PIN,
) -> dict[str, Any]:
    variables = {
        "amount": amount,
        "channel": channel,
        "paymentPassword": pin,
        "idempotencyKey": key or secrets.token_hex(8),
    }
    if card is not None:
        variables["bankCardId"] = card
    return await gql.mutate(WITHDRAW, {"input": variables}, token=token_for(user))


async def system_balance(code: str) -> int:
    from app.ledger.accounts import balance_of, system_account

    return (await balance_of(await system_account(code))).total


async def journals_of(transaction_no: str, kind: str | None = None) -> int:
    tx = await Transaction.get(transaction_no=transaction_no)
    query = Journal.filter(transaction_id=tx.id)
    return await (query.filter(kind=kind) if kind else query).count()


async def assert_clean_ledger() -> None:
    report = await reconcile()
    assert report.clean, report.breaks


async def payment_movement(
    payer: User,
    merchant: Merchant,
    amount: int,
    key: str | None,
    *,
    digest: str = "d",
    operation: str = "pay",
    after: AfterWrite | None = None,
) -> Movement:
    """A wallet payment of ``amount`` fen as the payments service describes it to the kernel:
    the payer's outgoing risk check, wallet -> merchant account legs, a balance notice, and
    the idempotency ``key`` (none when None) for ``operation`` with request ``digest``."""
    wallet = await wallet_of(payer.id)
    merchant_account = await Account.get(id=merchant.account_id)
    return Movement(
        type="PAYMENT", account=wallet, amount=amount,
        key=Key(payer.id, key, operation, digest) if key else None,
        risk=Outgoing(user=payer, wallet_id=wallet.id, amount=amount, operation="PAY"),
        legs=(Leg(wallet, -amount), Leg(merchant_account, amount)),
        counterparty_account_id=merchant_account.id, counterparty_name=merchant.name,
        notices=(Notice(wallet, -amount, sms_phone=payer.phone),),
        after=after,
    )
