"""Set-up helpers and GraphQL documents for the merchant platform core tests (keys, orders,
the payment code, merchant refunds)."""

from __future__ import annotations

from typing import Any

from models import Merchant, User
from tests.factories import DEFAULT_PIN, make_merchant, token_for
from tests.harness.graphql import GraphQLClient

ORDER_FIELDS = """id outTradeNo amount description status qrPayload expiresAt paidAt fee refundedAmount
  transaction { transactionNo amount direction } refunds { outRefundNo amount status }"""

CREATE_KEY = """mutation($input: CreateMerchantApiKeyInput!) { createMerchantApiKey(input: $input) {
  apiKey { id name prefix scopes createdAt lastUsedAt revokedAt } secret errors { code message field } } }"""

REVOKE_KEY = """mutation($input: RevokeMerchantApiKeyInput!) { revokeMerchantApiKey(input: $input) {
  apiKey { id revokedAt } errors { code message field } } }"""

CREATE_ORDER = """mutation($input: CreateOrderInput!) { createOrder(input: $input) {
  order { %s } errors { code message field } } }""" % ORDER_FIELDS

CLOSE_ORDER = """mutation($input: CloseOrderInput!) { closeOrder(input: $input) {
  order { %s } errors { code message field } } }""" % ORDER_FIELDS

ORDER = """query($no: String!, $m: String) { order(outTradeNo: $no, merchantNo: $m) { %s } }""" % ORDER_FIELDS

REFUND = """mutation($input: RefundOrderInput!) { refundOrder(input: $input) {
  refund { id outRefundNo amount status reason transaction { transactionNo amount } order { outTradeNo refundedAmount } }
  errors { code message field } } }"""

PAY_QR = """mutation($input: PayQrCodeInput!) { payQrCode(input: $input) {
  transaction { transactionNo amount status } account { available } errors { code message field } } }"""

ENABLE_CODE = """mutation($pin: String!) { enablePaymentCode(input: {paymentPassword: $pin}) {
  secret errors { code message field } } }"""

DISABLE_CODE = """mutation($pin: String!) { disablePaymentCode(input: {paymentPassword: $pin}) {
  ok errors { code message field } } }"""

PAYMENT_CODE = "{ paymentCode { code qrSvg barcodeSvg expiresAt } viewer { paymentCodeEnabled } }"

CHARGE = """mutation($input: ChargePaymentCodeInput!) { chargePaymentCode(input: $input) {
  order { %s } errors { code message field } } }""" % ORDER_FIELDS

CONFIRM = """mutation($input: ConfirmPaymentCodeChargeInput!) { confirmPaymentCodeCharge(input: $input) {
  order { id status amount transaction { amount direction } } errors { code message field } } }"""

SET_FEE = """mutation($input: SetMerchantFeeRateInput!) { setMerchantFeeRate(input: $input) {
  merchant { merchantNo feeRateBps } errors { code message field } } }"""


def key_auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def merchant_with_key(
    gql: GraphQLClient, scopes: list[str] | None = None, name: str = "测试商户"
) -> tuple[Merchant, User, str]:
    """A merchant, its owner and a fresh API key (secret) with ``scopes`` (default ORDERS, REFUNDS)."""
    merchant, owner = await make_merchant(name)
    payload = await gql.mutate(
        CREATE_KEY,
        {"input": {"merchantNo": merchant.merchant_no, "name": "server",
                   "scopes": scopes or ["ORDERS", "REFUNDS"], "paymentPassword": DEFAULT_PIN}},
        token=token_for(owner),
    )
    assert payload["errors"] == [], payload
    return merchant, owner, payload["secret"]


async def create_order(gql: GraphQLClient, secret: str, out_trade_no: str, amount: str, **extra: Any) -> dict:
    payload = await gql.mutate(
        CREATE_ORDER, {"input": {"outTradeNo": out_trade_no, "amount": amount, **extra}}, headers=key_auth(secret)
    )
    assert payload["errors"] == [], payload
    return payload["order"]


async def pay_order(gql: GraphQLClient, payer: User, order: dict, key: str = "pay-1") -> dict:
    return await gql.mutate(
        PAY_QR,
        {"input": {"payload": order["qrPayload"], "paymentPassword": DEFAULT_PIN, "idempotencyKey": key}},
        token=token_for(payer),
    )
