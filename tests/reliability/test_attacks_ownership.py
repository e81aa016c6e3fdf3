"""Reading or changing another user's data through every field that takes an id or a number.

Bob (signed in) and an anonymous caller try Alice's objects through ``node`` (every Node
type), the lists, and each mutation that names an object. They see nothing of hers, get an
error, and nothing moves (balances, rows, statuses are compared before and after).
"""

from __future__ import annotations

import base64
import json

import pytest

import schema.root  # noqa: F401  (registers every domain's node loaders)
from models.merchant_platform import MerchantApiKey, MerchantRefund, Order
from models.merchant_platform_events import WebhookDelivery, WebhookEndpoint
from models.merchant_platform_money import Payout
from models.pay_requests import PayRequest, PayRequestItem
from models.red_packets import RedPacket, RedPacketClaim
from schema.node import _LOADERS, to_global_id
from tests.factories import DEFAULT_PIN
from tests.harness.graphql import user_error_codes
from tests.reliability import world as worlds
from tests.wealth.support import HOLDINGS, REDEEM, new_key

NODE = "query($id: ID!) { node(id: $id) { __typename id } }"
# Node types anyone may read (a catalogue), so not part of the ownership attacks.
PUBLIC_TYPES = {"WealthProduct"}
OWNED_BY_ALICE = {"User", "Holding", "Refund", "Ticket", "Merchant", "PaymentQrCode", "BankCard", "Account",
                  "Transaction", "MerchantApiKey", "MerchantRefund", "Order", "PayRequest", "Payout", "RedPacket",
                  "WebhookDelivery", "WebhookEndpoint"}
STAFF_ONLY = {"RiskAlert", "RealNameReview", "AuditRecord"}


@pytest.fixture
async def world(gql) -> worlds.World:  # noqa: ANN001
    return await worlds.build(gql)


def test_every_node_type_is_attacked():
    """A new Node type must join the world (and so these attacks) before it ships."""
    attacked = OWNED_BY_ALICE | STAFF_ONLY
    assert set(_LOADERS) - PUBLIC_TYPES == attacked


async def test_node_shows_alice_objects_to_no_one_else(gql, world):
    for type_name, global_id in world.ids.items():
        for who, token in (("bob", world.bob_token), ("anonymous", None)):
            result = await gql(NODE, {"id": global_id}, token=token)
            assert result.data == {"node": None}, (type_name, who, result)
            assert not result.errors, (type_name, who, result)


async def test_the_rightful_viewers_do_see_them(gql, world):
    """So the refusals above are about ownership, not about broken ids."""
    for type_name in OWNED_BY_ALICE:
        result = await gql(NODE, {"id": world.ids[type_name]}, token=world.alice_token)
        assert result.data["node"]["__typename"] == type_name, result
    for type_name in STAFF_ONLY:
        result = await gql(NODE, {"id": world.ids[type_name]}, token=world.admin_token)
        assert result.data["node"]["__typename"] == type_name, result
        mine = await gql(NODE, {"id": world.ids[type_name]}, token=world.alice_token)
        assert mine.data == {"node": None}, (type_name, "staff-only objects are not shown to their subject")


def _raw(global_id: str) -> tuple[str, int]:
    text = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    name, _, pk = text.partition(":")
    return name, int(pk)


async def test_tampered_global_ids_find_nothing(gql, world):
    forged: list[str] = []
    for global_id in world.ids.values():
        _, pk = _raw(global_id)
        for other in list(_LOADERS):
            forged += [to_global_id(other, pk), to_global_id(other, pk + 1), to_global_id(other, max(pk - 1, 1))]
        forged += [base64.urlsafe_b64encode(f"Ticket:{pk} ".encode()).decode(),
                   base64.urlsafe_b64encode(f"Ticket:0{pk}".encode()).decode(), "VGlja2V0Oi0x", "!!", ""]
    for global_id in forged:
        result = await gql(NODE, {"id": global_id}, token=world.bob_token)
        assert not result.errors, (global_id, result)
        node = result.data["node"]
        if node is not None:
            type_name, pk = _raw(node["id"])
            assert type_name in PUBLIC_TYPES or world.bob.id in await _parties(type_name, pk), (global_id, node)


async def _parties(type_name: str, pk: int) -> set[int]:
    """The users an object belongs to (both sides of a transaction)."""
    from models import Account, BankCard, Merchant, Refund, Transaction
    from models.payments import PaymentQrCode
    from models.support import Ticket
    from models.wealth import Holding

    if type_name == "User":
        return {pk}
    if type_name == "Account":
        return {(await Account.get(id=pk)).user_id}
    if type_name == "Transaction":
        tx = await Transaction.get(id=pk)
        ids = [tx.account_id] + ([tx.counterparty_account_id] if tx.counterparty_account_id else [])
        owners = {a.user_id for a in await Account.filter(id__in=ids)}
        merchants = await Merchant.filter(account_id__in=ids).values_list("owner_id", flat=True)
        return owners | set(merchants)
    if type_name == "Merchant":
        return {(await Merchant.get(id=pk)).owner_id}
    if type_name == "PaymentQrCode":
        code = await PaymentQrCode.get(id=pk)
        return {(await Merchant.get(id=code.merchant_id)).owner_id}
    models = {"BankCard": BankCard, "Holding": Holding, "Ticket": Ticket, "Refund": Refund}
    if type_name in models:
        return {(await models[type_name].get(id=pk)).user_id}
    merchant_owned = await _merchant_platform_parties(type_name, pk)
    if merchant_owned is not None:
        return merchant_owned
    if type_name == "RedPacket":
        packet = await RedPacket.get(id=pk)
        claimers = await RedPacketClaim.filter(packet_id=pk).values_list("user_id", flat=True)
        return {packet.sender_id, packet.recipient_id, *claimers} - {None}
    if type_name == "PayRequest":
        payers = await PayRequestItem.filter(request_id=pk).values_list("payer_id", flat=True)
        return {(await PayRequest.get(id=pk)).requester_id, *payers}
    return set()  # staff-only types belong to no user


async def _merchant_platform_parties(type_name: str, pk: int) -> set[int] | None:
    """The merchant's owner (and an order's payer) for the merchant-platform types; None for others."""
    from models import Merchant

    models = {"Order": Order, "MerchantRefund": MerchantRefund, "MerchantApiKey": MerchantApiKey, "Payout": Payout,
              "WebhookEndpoint": WebhookEndpoint, "WebhookDelivery": WebhookDelivery}
    if type_name not in models:
        return None
    row = await models[type_name].get(id=pk)
    owners = {(await Merchant.get(id=row.merchant_id)).owner_id}
    return owners | ({row.payer_user_id} - {None} if type_name == "Order" else set())


async def test_lists_hold_only_the_viewers_own(gql, world):
    data = await gql.ok(
        "{ holdings(includeRedeemed: true) { id } myTickets { edges { node { id } } }"
        " refunds { edges { node { id } } } transactions { edges { node { transactionNo } } } }",
        token=world.bob_token,
    )
    text = json.dumps(data)
    for alice_id in world.ids.values():
        assert alice_id not in text
    assert world.transaction_no not in text


async def _attack(gql, world, document: str, variables: dict, expect: set[str]) -> dict:  # noqa: ANN001
    before = await worlds.figures(world)
    result = await gql(document, variables, token=world.bob_token)
    after = await worlds.figures(world)
    assert after == before, (document, result)
    text = json.dumps(result, ensure_ascii=False)
    assert "爱丽丝" not in text and "王小丽" not in text, text
    codes = set(result.error_codes()) | {
        code for payload in (result.data or {}).values() if isinstance(payload, dict)
        for code in user_error_codes(payload)
    }
    assert codes & expect, (document, result)
    return result


async def test_bob_cannot_redeem_alices_holding(gql, world):
    await _attack(gql, world, REDEEM, {"input": {"holdingId": world.holding_id, "paymentPassword": DEFAULT_PIN,
                                                  "idempotencyKey": new_key()}}, {"NOT_FOUND"})


async def test_bob_cannot_reply_to_or_close_alices_ticket(gql, world):
    reply = "mutation($input: ReplyTicketInput!) { replyTicket(input: $input) { ticket { id } errors { code } } }"
    await _attack(gql, world, reply, {"input": {"ticketId": world.ticket_id, "body": "我来插一句"}},
                  {"NOT_FOUND", "FORBIDDEN"})
    close = ("mutation($input: UpdateTicketStatusInput!) { updateTicketStatus(input: $input) {"
             " ticket { id status } errors { code } } }")
    await _attack(gql, world, close, {"input": {"ticketId": world.ticket_id, "status": "CLOSED"}},
                  {"NOT_FOUND", "FORBIDDEN"})


async def test_bob_cannot_ask_a_refund_of_alices_payment(gql, world):
    document = ("mutation($input: RequestRefundInput!) { requestRefund(input: $input) {"
                " refund { id } errors { code } } }")
    await _attack(gql, world, document, {"input": {"transactionNo": world.transaction_no, "reason": "WRONG_AMOUNT"}},
                  {"NOT_FOUND"})


async def test_bob_cannot_attach_alices_payment_to_his_ticket(gql, world):
    await _attack(gql, world, worlds.SUBMIT_TICKET, {"input": {
        "kind": "FEEDBACK", "subject": "查一下", "body": "这笔交易", "transactionNo": world.transaction_no}},
        {"NOT_FOUND"})


async def test_alices_account_statement_is_unreachable(gql, world):
    """Account.transactions (and the User's account) only through her own nodes, which Bob cannot load."""
    document = ("query($account: ID!, $user: ID!) {"
                " a: node(id: $account) { ... on Account { transactions { edges { node { transactionNo } } } } }"
                " u: node(id: $user) { ... on User { account { transactions { totalCount } } bankCards { id } } } }")
    variables = {"account": world.ids["Account"], "user": world.ids["User"]}
    for token in (world.bob_token, None):
        assert await gql.ok(document, variables, token=token) == {"a": None, "u": None}
    own = await gql.ok(document, variables, token=world.alice_token)
    assert world.transaction_no in json.dumps(own)


async def test_transaction_by_number_is_only_for_its_parties(gql, world):
    document = "query($no: String!) { transaction(transactionNo: $no) { transactionNo amount } }"
    for token in (world.bob_token, None):
        result = await gql(document, {"no": world.transaction_no}, token=token)
        assert (result.get("data") or {}).get("transaction") is None, result
        assert world.transaction_no not in json.dumps(result)
    own = await gql.ok(document, {"no": world.transaction_no}, token=world.alice_token)
    assert own["transaction"]["transactionNo"] == world.transaction_no


async def test_bob_cannot_remove_alices_bank_card(gql, world):
    document = ("mutation($input: RemoveBankCardInput!) { removeBankCard(input: $input) { ok errors { code } } }")
    await _attack(gql, world, document, {"input": {"bankCardId": world.card_id, "paymentPassword": DEFAULT_PIN}},
                  {"NOT_FOUND"})


CARD_MOVES = {
    "topUp": ("mutation($input: TopUpInput!) { topUp(input: $input) {"
              " transaction { transactionNo } errors { code } } }",
              {"amount": "100.00", "channel": "BANK_CARD", "idempotencyKey": "steal-topup"}),
    "withdraw": ("mutation($input: WithdrawInput!) { withdraw(input: $input) {"
                 " transaction { transactionNo } errors { code } } }",
                 {"amount": "100.00", "channel": "BANK_CARD", "paymentPassword": DEFAULT_PIN,
                  "idempotencyKey": "steal-withdraw"}),
    "pay": ("mutation($input: PayInput!) { pay(input: $input) { transaction { transactionNo } errors { code } } }",
            {"merchantNo": None, "amount": "10.00", "channel": "BANK_CARD", "paymentPassword": DEFAULT_PIN,
             "idempotencyKey": "steal-pay"}),
}


@pytest.mark.parametrize("name", list(CARD_MOVES))
async def test_bob_cannot_move_money_with_alices_bank_card(gql, world, name):
    document, fields = CARD_MOVES[name]
    fields = {**fields, "bankCardId": world.card_id}
    if "merchantNo" in fields:
        shop = await gql.ok("query($id: ID!) { node(id: $id) { ... on Merchant { merchantNo } } }",
                            {"id": world.ids["Merchant"]}, token=world.alice_token)
        fields["merchantNo"] = shop["node"]["merchantNo"]
    await _attack(gql, world, document, {"input": fields}, {"NOT_FOUND"})


STAFF_MUTATIONS = {
    "reviewRefund": ("mutation($id: ID!) { reviewRefund(input: {refundId: $id, approve: true}) { refund { id } } }",
                     "Refund"),
    "acknowledgeRiskAlert": ("mutation($id: ID!) { acknowledgeRiskAlert(input: {alertId: $id, close: true}) {"
                             " alert { id } } }", "RiskAlert"),
    "setAccountStatus": ("mutation($id: ID!) { setAccountStatus(input: {userId: $id, status: FROZEN, reason: \"x\"})"
                         " { user { id } } }", "User"),
    "reviewRealNameVerification": ("mutation($id: ID!) { reviewRealNameVerification(input: {reviewId: $id,"
                                   " approve: true}) { user { id } } }", "RealNameReview"),
}


@pytest.mark.parametrize("name", [n for n, (doc, _) in STAFF_MUTATIONS.items() if doc])
async def test_staff_mutations_are_forbidden_to_users(gql, world, name):
    document, type_name = STAFF_MUTATIONS[name]
    await _attack(gql, world, document, {"id": world.ids[type_name]}, {"FORBIDDEN"})


@pytest.mark.parametrize("query", [
    "query($id: ID!) { auditLog(userId: $id) { edges { node { id } } } }",
    "{ riskAlerts { edges { node { id } } } }",
    "{ refundReviewQueue { edges { node { id } } } }",
    "{ tickets { edges { node { id } } } }",
])
async def test_staff_lists_are_forbidden_to_users(gql, world, query):
    result = await gql(query, {"id": world.ids["User"]} if "$id" in query else None, token=world.bob_token)
    assert result.error_codes() == ["FORBIDDEN"], result
    assert result.get("data") is None


async def test_merchant_lookup_by_number_hides_the_merchant_account(gql, world):
    merchant_no = (await gql.ok("query($id: ID!) { node(id: $id) { ... on Merchant { merchantNo } } }",
                                {"id": world.ids["Merchant"]}, token=world.alice_token))["node"]["merchantNo"]
    document = "query($no: String!) { merchant(merchantNo: $no) { name account { accountNo balance } } }"
    for token in (world.bob_token, None):
        seen = await gql.ok(document, {"no": merchant_no}, token=token)
        assert seen["merchant"]["account"] is None, seen
    own = await gql.ok(document, {"no": merchant_no}, token=world.alice_token)
    assert own["merchant"]["account"] is not None


async def test_holdings_of_bob_stay_empty(gql, world):
    assert (await gql.ok(HOLDINGS, token=world.bob_token))["holdings"] == []
