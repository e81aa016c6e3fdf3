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
from models.support import Ticket, TicketMessage
from models.wealth import Holding
from schema.node import to_global_id
from tests.history.docs import REQUEST_REFUND
from tests.history.factories import make_card, make_merchant, wallet_payment
from tests.support.factories import fund, make_staff, make_user, next_id_number, token_for
from tests.support.graphql import GraphQLClient
from tests.wealth.support import PURCHASE, make_product, purchase_input, set_tolerance

CREATE_QR = (
    "mutation($input: CreatePaymentQrCodeInput!) { createPaymentQrCode(input: $input) {"
    " qrCode { id payload } errors { code } } }"
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
    merchant = await make_merchant(name="街角咖啡")
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

    shop = await make_merchant(owner=alice, name="爱丽丝小店")
    world.alice_token = token_for(alice)  # the MERCHANT role is in the token's user row, not the token
    code = await gql.mutate(CREATE_QR, {"input": {"amount": "12.00", "description": "爱丽丝的收款码"}},
                            token=world.alice_token)
    world.qr_code_id, world.qr_payload = code["qrCode"]["id"], code["qrCode"]["payload"]

    alert = await raise_alert("RELIABILITY_PROBE", "HIGH", "爱丽丝账户的风险提示", user_id=alice.id)
    assert alert is not None
    id_number = next_id_number("19900101")
    review = await RealNameReview.create(
        user_id=alice.id, real_name_enc=crypto.encrypt("王小丽"), id_number_enc=crypto.encrypt(id_number),
        id_number_index=crypto.blind_index(id_number, "id_number"), birth_date=date(1990, 1, 1),
    )
    audit = await AuditRecord.filter(subject_user_id=alice.id).order_by("-id").first()
    assert audit is not None, "Alice's actions leave audit records"

    world.ids = {
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


async def figures(world: World) -> dict[str, Any]:
    """What an attack must not change: balances, Alice's objects and the rows that hold money."""
    wallets = {a.user_id: (a.available, a.frozen) for a in await Account.filter(kind="WALLET")}
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
