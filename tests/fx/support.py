"""GraphQL documents and set-up shared by the cross-border tests."""

from __future__ import annotations

from typing import Any

from models import Merchant, User
from tests.factories import DEFAULT_PIN, make_staff, make_user, token_for

CREATE_MERCHANT = """
mutation($input: CreateMerchantInput!) { createMerchant(input: $input) {
  merchant { merchantNo name currency } errors { code field message }
} }
"""

SET_CURRENCY = """
mutation($input: SetMerchantCurrencyInput!) { setMerchantCurrency(input: $input) {
  merchant { merchantNo currency } errors { code field message }
} }
"""

QUOTE = """
mutation($input: CreateFxQuoteInput!) { createFxQuote(input: $input) {
  quote { id merchantNo merchantName cnyAmount merchantAmount merchantCurrency rate expiresAt used }
  errors { code field message }
} }
"""

PAY = """
mutation($input: PayInput!) { pay(input: $input) {
  transaction { id transactionNo type status amount fx { cnyAmount merchantAmount merchantCurrency rate } }
  account { available }
  errors { code field message }
} }
"""

PAY_QR = """
mutation($input: PayQrCodeInput!) { payQrCode(input: $input) {
  transaction { id transactionNo type status amount fx { cnyAmount merchantAmount merchantCurrency rate } }
  account { available }
  errors { code field message }
} }
"""

CREATE_QR = """
mutation($input: CreatePaymentQrCodeInput!) { createPaymentQrCode(input: $input) {
  qrCode { id payload amount } errors { code field message }
} }
"""

USAGE = "{ crossBorderUsage { year usedCny limitCny remainingCny } }"

HISTORY = """
{ transactions(first: 20) { edges { node {
  transactionNo type direction amount fx { cnyAmount merchantAmount merchantCurrency rate }
} } } }
"""

REQUEST_REFUND = """
mutation($input: RequestRefundInput!) { requestRefund(input: $input) {
  refund { id amount status } errors { code field message }
} }
"""

REVIEW_REFUND = """
mutation($input: ReviewRefundInput!) { reviewRefund(input: $input) {
  refund { id status } errors { code field message }
} }
"""


async def foreign_merchant(gql: Any, currency: str, name: str = "东京拉面") -> tuple[Merchant, User, str]:
    """A merchant paid in ``currency``, created by an ADMIN through the API; (merchant, owner, admin token)."""
    owner = await make_user()
    admin = token_for(await make_staff("ADMIN"))
    data = await gql.ok(CREATE_MERCHANT, {"input": {"name": name, "category": "餐饮", "ownerPhone": owner.phone,
                                                    "currency": currency}}, token=admin)
    payload = data["createMerchant"]
    assert payload["errors"] == [] and payload["merchant"]["currency"] == currency, payload
    merchant = await Merchant.get(merchant_no=payload["merchant"]["merchantNo"])
    return merchant, await User.get(id=owner.id), admin


def quote_input(**fields: Any) -> dict[str, Any]:
    return {"input": fields}


def pay_input(merchant_no: str, amount: str, key: str, quote_id: str | None) -> dict[str, Any]:
    return {"input": {"merchantNo": merchant_no, "amount": amount, "channel": "WALLET_BALANCE",
                      "paymentPassword": DEFAULT_PIN, "idempotencyKey": key, "fxQuoteId": quote_id}}


def pay_qr_input(payload: str, key: str, quote_id: str | None, amount: str | None = None) -> dict[str, Any]:
    return {"input": {"payload": payload, "paymentPassword": DEFAULT_PIN, "idempotencyKey": key,
                      "fxQuoteId": quote_id, "amount": amount}}
