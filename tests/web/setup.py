"""Set-up for browser scenarios that is not itself under test (done through the API or factories)."""

from __future__ import annotations

from typing import Any

from models import User
from tests.factories import DEFAULT_PIN, make_staff, token_for, verify_real_name

CREATE_MERCHANT = """mutation($input: CreateMerchantInput!) {
  createMerchant(input: $input) { merchant { merchantNo name } errors { code message } }
}"""
PAY = """mutation($input: PayInput!) {
  pay(input: $input) { transaction { transactionNo status amount } errors { code message } }
}"""


async def create_merchant(gql: Any, owner_phone: str, name: str = "好邻居便利店") -> str:
    """An admin opens a merchant for a registered user; returns its merchant number."""
    admin = await make_staff("ADMIN")
    payload = await gql.mutate(
        CREATE_MERCHANT,
        {"input": {"name": name, "category": "便利店", "ownerPhone": owner_phone}},
        token=token_for(admin),
    )
    assert not payload["errors"], payload
    return payload["merchant"]["merchantNo"]


async def pay_merchant(gql: Any, payer: User, merchant_no: str, amount: str, key: str) -> str:
    payload = await gql.mutate(PAY, {"input": {
        "merchantNo": merchant_no, "amount": amount, "channel": "WALLET_BALANCE",
        "paymentPassword": DEFAULT_PIN, "description": "午饭", "idempotencyKey": key,
    }}, token=token_for(payer))
    assert not payload["errors"], payload
    assert payload["transaction"]["status"] == "SUCCEEDED", payload
    return payload["transaction"]["transactionNo"]


async def mark_real_name_verified(phone: str, real_name: str = "张三") -> str:
    """Stand in for the real-name review (tested on its own); returns the ID number used."""
    user = await User.get(phone=phone)
    id_number = verify_real_name(user, real_name)
    await user.save()
    return id_number


def masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"
