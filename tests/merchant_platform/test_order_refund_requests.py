"""A payer's refund requests (the staff-reviewed flow) against an order are shown to the merchant:
to the owner and to its keys with the ORDERS or REFUNDS scope, never to another merchant, and
without the payer's own text."""

from __future__ import annotations

from tests.factories import DEFAULT_PIN, fund, make_user, token_for

from .core_support import CREATE_KEY, create_order, key_auth, merchant_with_key, pay_order

REQUEST_REFUND = """mutation($input: RequestRefundInput!) { requestRefund(input: $input) {
  refund { refundNo } errors { code message field } } }"""

ORDER_REQUESTS = """query($no: String!, $m: String) { order(outTradeNo: $no, merchantNo: $m) {
  outTradeNo refundRequests { refundNo amount reason status createdAt completedAt } } }"""

REFUND_REQUESTS_OF_REFUND = """mutation($input: RefundOrderInput!) { refundOrder(input: $input) {
  refund { order { refundRequests { refundNo amount } } } errors { code } } }"""


async def _order_with_a_request(gql):  # noqa: ANN001, ANN202
    merchant, owner, secret = await merchant_with_key(gql)
    payer = await make_user()
    await fund(payer, 500_00)
    order = await create_order(gql, secret, "RQ-1", "80.00")
    unpaid = await gql.ok(ORDER_REQUESTS, {"no": "RQ-1"}, headers=key_auth(secret))
    assert unpaid["order"]["refundRequests"] == []
    paid = await pay_order(gql, payer, order)
    assert paid["errors"] == [], paid
    asked = await gql.mutate(REQUEST_REFUND, {"input": {
        "transactionNo": paid["transaction"]["transactionNo"], "amount": "25.50",
        "reason": "WRONG_AMOUNT", "description": "我的手机号 13800000000"}}, token=token_for(payer))
    assert asked["errors"] == [], asked
    return merchant, owner, secret, asked["refund"]["refundNo"]


async def test_the_merchant_key_and_owner_see_the_payers_refund_request(gql):
    merchant, owner, secret, refund_no = await _order_with_a_request(gql)
    seen = (await gql.ok(ORDER_REQUESTS, {"no": "RQ-1"}, headers=key_auth(secret)))["order"]
    [request] = seen["refundRequests"]
    assert (request["refundNo"], request["amount"], request["reason"], request["status"]) == (
        refund_no, "25.50", "WRONG_AMOUNT", "PENDING_REVIEW")
    assert request["createdAt"] and request["completedAt"] is None
    by_owner = await gql.ok(ORDER_REQUESTS, {"no": "RQ-1", "m": merchant.merchant_no}, token=token_for(owner))
    assert [r["refundNo"] for r in by_owner["order"]["refundRequests"]] == [refund_no]
    # The payer's free text (possibly personal data) is not part of the summary type.
    bad = await gql("""query($no: String!) { order(outTradeNo: $no) {
      refundRequests { description } } }""", {"no": "RQ-1"}, headers=key_auth(secret))
    assert bad.errors


async def test_a_refunds_only_key_sees_them_through_its_refund_and_another_merchant_never(gql):
    merchant, owner, _, refund_no = await _order_with_a_request(gql)
    def key(scopes: list[str]) -> dict:
        return {"input": {"merchantNo": merchant.merchant_no, "name": "+".join(scopes), "scopes": scopes,
                          "paymentPassword": DEFAULT_PIN}}

    refunds_key = (await gql.mutate(CREATE_KEY, key(["REFUNDS"]), token=token_for(owner)))["secret"]
    done = await gql.mutate(REFUND_REQUESTS_OF_REFUND, {"input": {
        "outTradeNo": "RQ-1", "outRefundNo": "M-1", "amount": "1.00"}}, headers=key_auth(refunds_key))
    assert done["errors"] == [], done
    assert done["refund"]["order"]["refundRequests"] == [{"refundNo": refund_no, "amount": "25.50"}]

    # Another merchant's key cannot reach the order at all, so never its refund requests.
    _, _, other_secret = await merchant_with_key(gql, name="别的商户")
    other = await gql(ORDER_REQUESTS, {"no": "RQ-1"}, headers=key_auth(other_secret))
    assert other.errors or (other.data or {}).get("order") is None
    assert refund_no not in str(other.data)
    order_id = (await gql.ok("query($no: String!, $m: String) { order(outTradeNo: $no, merchantNo: $m) { id } }",
                             {"no": "RQ-1", "m": merchant.merchant_no}, token=token_for(owner)))["order"]["id"]
    by_node = await gql("""query($id: ID!) { node(id: $id) { ... on Order { refundRequests { refundNo } } } }""",
                        {"id": order_id}, headers=key_auth(other_secret))
    assert refund_no not in str(by_node.data) and refund_no not in str(by_node.errors)
