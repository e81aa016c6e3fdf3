"""Merchant API keys: shown once, stored as a keyed hash, scoped, revoked at once, never a
user, rate-limited per key with Retry-After, lastUsedAt stamped, creation/revocation audited."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from app import clock, runtime
from models import AuditRecord
from models.merchant_platform import MerchantApiKey
from tests.factories import DEFAULT_PIN, make_user, token_for
from tests.harness.graphql import user_error_codes

from .core_support import CREATE_KEY, CREATE_ORDER, ORDER, REFUND, REVOKE_KEY, create_order, key_auth, merchant_with_key

KEYS = "query($m: String!) { merchant(merchantNo: $m) { apiKeys { id prefix name scopes lastUsedAt revokedAt } } }"


async def test_the_key_is_shown_once_and_stored_only_as_a_keyed_hash(gql):
    merchant, owner, secret = await merchant_with_key(gql, ["ORDERS"])
    assert secret.startswith("sk_") and len(secret) > 40
    stored = await MerchantApiKey.get(merchant_id=merchant.id)
    assert stored.prefix == secret[:11] and secret not in stored.key_hash and stored.key_hash != secret
    keys = (await gql.ok(KEYS, {"m": merchant.merchant_no}, token=token_for(owner)))["merchant"]["apiKeys"]
    assert [(k["prefix"], k["scopes"], k["lastUsedAt"]) for k in keys] == [(secret[:11], ["ORDERS"], None)]
    await create_order(gql, secret, "K-1", "1.00")
    keys = (await gql.ok(KEYS, {"m": merchant.merchant_no}, token=token_for(owner)))["merchant"]["apiKeys"]
    assert keys[0]["lastUsedAt"] is not None
    assert await AuditRecord.filter(action="merchant_api_key.create", actor_id=owner.id).count() == 1


async def test_creating_a_key_needs_the_owner_and_the_payment_password(gql):
    merchant, owner, secret = await merchant_with_key(gql)
    stranger = await make_user()
    variables = {"input": {"merchantNo": merchant.merchant_no, "name": "x", "scopes": ["ORDERS"],
                           "paymentPassword": DEFAULT_PIN}}
    assert user_error_codes(await gql.mutate(CREATE_KEY, variables, token=token_for(stranger))) == ["NOT_FOUND"]
    wrong = {"input": {**variables["input"], "paymentPassword": "000000"}}
    assert user_error_codes(await gql.mutate(CREATE_KEY, wrong, token=token_for(owner))) == ["INVALID_PAYMENT_PASSWORD"]
    # A key is never a user: it cannot create keys, and viewer is null with it.
    by_key = await gql(CREATE_KEY, variables, headers=key_auth(secret))
    assert by_key.error_codes() == ["UNAUTHENTICATED"]
    assert (await gql.ok("{ viewer { id } }", headers=key_auth(secret)))["viewer"] is None


async def test_scope_revocation_and_another_merchants_key_are_refused(gql):
    merchant, owner, orders_only = await merchant_with_key(gql, ["ORDERS"])
    other, _, other_key = await merchant_with_key(gql, ["ORDERS", "REFUNDS"], name="别家")
    await create_order(gql, orders_only, "S-1", "1.00")
    no_scope = await gql.mutate(REFUND, {"input": {"outTradeNo": "S-1", "outRefundNo": "R1", "amount": "1.00"}},
                                headers=key_auth(orders_only))
    assert user_error_codes(no_scope) == ["API_KEY_INVALID"]
    # Another merchant's key neither sees this order nor acts for this merchant.
    assert (await gql.ok(ORDER, {"no": "S-1"}, headers=key_auth(other_key)))["order"] is None
    foreign = await gql.mutate(CREATE_ORDER, {"input": {"merchantNo": merchant.merchant_no, "outTradeNo": "S-2",
                                                        "amount": "1.00"}}, headers=key_auth(other_key))
    assert user_error_codes(foreign) == ["API_KEY_INVALID"]
    # Revoked: refused at once.
    key_id = (await gql.ok(KEYS, {"m": merchant.merchant_no}, token=token_for(owner)))["merchant"]["apiKeys"][0]["id"]
    revoked = await gql.mutate(REVOKE_KEY, {"input": {"apiKeyId": key_id}}, token=token_for(owner))
    assert revoked["errors"] == [] and revoked["apiKey"]["revokedAt"] is not None
    after = await gql(ORDER, {"no": "S-1"}, headers=key_auth(orders_only))
    assert after.error_codes() == ["API_KEY_INVALID"]
    made = await gql.mutate(CREATE_ORDER, {"input": {"outTradeNo": "S-3", "amount": "1.00"}},
                            headers=key_auth(orders_only))
    assert user_error_codes(made) == ["API_KEY_INVALID"]
    forged = await gql(ORDER, {"no": "S-1"}, headers=key_auth(orders_only[:-2] + "xx"))
    assert forged.error_codes() == ["API_KEY_INVALID"]
    # Only the owner revokes.
    other_owner_key = (await gql.ok(KEYS, {"m": other.merchant_no}, token=token_for(await make_user())))
    assert other_owner_key["merchant"]["apiKeys"] == []
    assert await AuditRecord.filter(action="merchant_api_key.revoke", actor_id=owner.id).count() == 1


async def test_a_key_over_its_rate_limit_gets_429_with_retry_after(gql, monkeypatch):
    _, _, secret = await merchant_with_key(gql)
    settings = runtime.settings()
    monkeypatch.setattr(runtime.get(), "settings", dataclasses.replace(settings, api_key_requests_per_minute=3))
    clock.set_now(datetime(2026, 11, 30, 6, 0, 10, tzinfo=UTC))  # one rate window for all four
    body = {"query": ORDER, "variables": {"no": "none"}}
    statuses = []
    for _ in range(4):
        response = await gql.http.post("/graphql", json=body, headers=key_auth(secret))
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429]
    assert response.headers["Retry-After"] == "50"
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["RATE_LIMITED"]
