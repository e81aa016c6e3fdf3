"""A small world for the object-level authorization attacks: Alice owns one of everything,
Bob (another signed-in user) is the attacker, staff exist for the staff-only objects.

``World.ids`` maps each Node type name to the global id of Alice's object of that type;
``nothing_moved`` compares the figures an attack must not change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app import crypto
from app.risk.alerts import raise_alert
from models import Account, AuditRecord, BankCard, Transaction
from models.identity import RealNameReview
from models.merchant_platform_events import WebhookDelivery
from models.support import Ticket, TicketMessage
from models.wealth import Holding
from schema.node import from_global_id, to_global_id
from tests.factories import (
    DEFAULT_PIN,
    fund,
    make_card,
    make_merchant,
    make_staff,
    make_user,
    next_id_number,
    token_for,
    wallet_payment,
)
from tests.harness.graphql import GraphQLClient
from tests.history.docs import REQUEST_REFUND
from tests.merchant_platform.core_support import CREATE_KEY, REFUND, create_order, pay_order
from tests.merchant_platform.helpers import CREATE_ENDPOINT
from tests.social.support import REQUEST, SEND, send_input
from tests.wealth.support import PURCHASE, make_product, purchase_input, set_tolerance

CREATE_QR = (
    "mutation($input: CreatePaymentQrCodeInput!) { createPaymentQrCode(input: $input) {"
    " qrCode { id payload } errors { code } } }"
)
REQUEST_PAYOUT = (
    "mutation($input: RequestPayoutInput!) { requestPayout(input: $input) { payout { id } errors { code } } }"
)
SUBMIT_TICKET = (
    "mutation($input: SubmitTicketInput!) { submitTicket(input: $input) {"
    " ticket { id ticketNo } errors { code } } }"
)


@dataclass
class World:
    alice: Any
    bob: Any
    alice_token: str
    bob_token: str
    support_token: str
    admin_token: str
    ids: dict[str, str] = field(default_factory=dict)
    """Node type name -> global id of Alice's object."""
    transaction_no: str = ""
    ticket_id: str = ""
    qr_code_id: str = ""
    card_id: str = ""
    qr_payload: str = ""
    holding_id: str = ""
    refund_id: str = ""


async def build(gql: GraphQLClient) -> World:
    alice = await make_user(real_name="王小丽")
    bob = await make_user(real_name="赵大宝")
    support, admin = await make_staff("SUPPORT"), await make_staff("ADMIN")
    world = World(alice, bob, token_for(alice), token_for(bob), token_for(support), token_for(admin))
    await fund(alice, 1_000_000)
    await fund(bob, 1_000_000)

    await set_tolerance(alice, "C5")
    product = await make_product(min_purchase=100)
    bought = await gql.mutate(PURCHASE, {"input": purchase_input(product, "200.00")}, token=world.alice_token)
    world.holding_id = bought["holding"]["id"]

    card = await make_card(alice)
    world.card_id = to_global_id("BankCard", card.id)
    merchant, _ = await make_merchant("街角咖啡")
    paid = await wallet_payment(alice, merchant, 3_000)
    world.transaction_no = paid.transaction_no
    refund = await gql.mutate(
        REQUEST_REFUND, {"input": {"transactionNo": paid.transaction_no, "reason": "WRONG_AMOUNT"}},
        token=world.alice_token,
    )
    world.refund_id = refund["refund"]["id"]

    ticket = await gql.mutate(
        SUBMIT_TICKET, {"input": {"kind": "COMPLAINT", "subject": "只属于我", "body": "爱丽丝的私密投诉"}},
        token=world.alice_token,
    )
    world.ticket_id = ticket["ticket"]["id"]

    shop, _ = await make_merchant("爱丽丝小店", owner=alice)
    world.alice_token = token_for(alice)  # the MERCHANT role is in the token's user row, not the token
    code = await gql.mutate(CREATE_QR, {"input": {"amount": "12.00", "description": "爱丽丝的收款码"}},
                            token=world.alice_token)
    world.qr_code_id, world.qr_payload = code["qrCode"]["id"], code["qrCode"]["payload"]

    world.ids.update(await _merchant_platform(gql, world, shop.merchant_no))
    world.ids.update(await _social(gql, world))

    alert = await raise_alert("RELIABILITY_PROBE", "HIGH", "爱丽丝账户的风险提示", user_id=alice.id)
    assert alert is not None
    id_number = next_id_number("19900101")
    review = await RealNameReview.create(
        user_id=alice.id, real_name_enc=crypto.encrypt("王小丽"), id_number_enc=crypto.encrypt(id_number),
        id_number_index=crypto.blind_index(id_number, "id_number"), birth_date=date(1990, 1, 1),
    )
    audit = await AuditRecord.filter(subject_user_id=alice.id).order_by("-id").first()
    assert audit is not None, "Alice's actions leave audit records"

    world.ids |= {
        "User": to_global_id("User", alice.id),
        "Holding": world.holding_id,
        "Refund": world.refund_id,
        "Ticket": world.ticket_id,
        "RiskAlert": to_global_id("RiskAlert", alert.id),
        "RealNameReview": to_global_id("RealNameReview", review.id),
        "AuditRecord": to_global_id("AuditRecord", audit.id),
        "Merchant": to_global_id("Merchant", shop.id),
        "PaymentQrCode": world.qr_code_id,
        "BankCard": world.card_id,
        "Account": to_global_id("Account", (await Account.get(user_id=alice.id, kind="WALLET")).id),
        "Transaction": to_global_id("Transaction", paid.id),
    }
    return world


async def _merchant_platform(gql: GraphQLClient, world: World, merchant_no: str) -> dict[str, str]:
    """Alice's shop's API key, a webhook endpoint, an order paid by Carol (a third user, so Bob
    is no party to it) with its delivery, a merchant refund of it and a payout to Alice's card."""
    key = await gql.mutate(CREATE_KEY, {"input": {"merchantNo": merchant_no, "name": "爱丽丝的服务器",
                                                  "scopes": ["ORDERS", "REFUNDS"], "paymentPassword": DEFAULT_PIN}},
                           token=world.alice_token)
    assert key["errors"] == [], key
    endpoint = await gql.mutate(CREATE_ENDPOINT, {"input": {"merchantNo": merchant_no, "url": "http://127.0.0.1:9/alice",
                                                            "events": ["ORDER_PAID"]}}, token=world.alice_token)
    assert endpoint["errors"] == [], endpoint
    carol = await make_user(real_name="钱多多")
    await fund(carol, 100_000)
    order = await create_order(gql, key["secret"], "ALICE-1", "100.00", description="爱丽丝小店的订单")
    assert (await pay_order(gql, carol, order, key="alice-order"))["errors"] == []
    refund = await gql.mutate(REFUND, {"input": {"outTradeNo": "ALICE-1", "outRefundNo": "ALICE-R1",
                                                 "amount": "10.00"}},
                              headers={"Authorization": f"Bearer {key['secret']}"})
    assert refund["errors"] == [], refund
    payout = await gql.mutate(REQUEST_PAYOUT, {"input": {"merchantNo": merchant_no, "amount": "50.00",
                                                         "bankCardId": world.card_id, "paymentPassword": DEFAULT_PIN,
                                                         "idempotencyKey": "alice-payout"}}, token=world.alice_token)
    assert payout["errors"] == [], payout
    delivery = await WebhookDelivery.filter(endpoint_id=from_global_id(endpoint["endpoint"]["id"], "WebhookEndpoint")).order_by("id").first()
    assert delivery is not None, "the paid order is announced to Alice's endpoint"
    return {
        "MerchantApiKey": key["apiKey"]["id"],
        "WebhookEndpoint": endpoint["endpoint"]["id"],
        "Order": order["id"],
        "WebhookDelivery": to_global_id("WebhookDelivery", delivery.id),
        "MerchantRefund": refund["refund"]["id"],
        "Payout": payout["payout"]["id"],
    }


async def _social(gql: GraphQLClient, world: World) -> dict[str, str]:
    """A group red packet Alice sent (a link anyone could hold, yet its id must not show it to
    Bob) and Alice's request to pay addressed to a third user."""
    sent = await gql.mutate(SEND, send_input("8.88", 3, key="alice-packet", greeting="爱丽丝的红包"),
                            token=world.alice_token)
    assert sent["errors"] == [], sent
    dave = await make_user(real_name="孙小美")
    asked = await gql.mutate(REQUEST, {"input": {"payers": [{"recipient": dave.phone, "amount": "20.00"}],
                                                 "note": "爱丽丝的聚餐"}}, token=world.alice_token)
    assert asked["errors"] == [], asked
    return {"RedPacket": sent["redPacket"]["id"], "PayRequest": asked["payRequest"]["id"]}


async def figures(world: World) -> dict[str, Any]:
    """What an attack must not change: balances, Alice's objects and the rows that hold money."""
    wallets = {a.user_id: (a.available, a.held) for a in await Account.filter(kind="WALLET")}
    holding = await Holding.all().values("id", "status", "principal")
    tickets = await Ticket.all().values("id", "status", "transaction_id")
    return {
        "wallets": wallets,
        "transactions": await Transaction.all().count(),
        "holdings": holding,
        "tickets": tickets,
        "ticket_messages": await TicketMessage.all().count(),
        "refunds": await _refunds(),
        "bank_cards": await BankCard.all().values_list("id", flat=True),
        "alice_status": (await type(world.alice).get(id=world.alice.id)).status,
    }


async def _refunds() -> list[dict[str, Any]]:
    from models import Refund

    return await Refund.all().values("id", "status", "amount")
