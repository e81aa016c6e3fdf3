"""exportMyData: the login password, a signed short-lived link, and an archive holding the
user's own data and no one else's (scanned for the other users' phone numbers)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from app import clock, crypto
from models import AuditRecord
from tests.factories import DEFAULT_PASSWORD, DEFAULT_PIN, fund, make_card, make_merchant, make_user, token_for
from tests.payments.support import PAY, TRANSFER
from tests.support_desk.documents import submitted

EXPORT = """
mutation($password: String!) { exportMyData(input: {password: $password}) {
  url expiresAt errors { code message field } } }"""
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


async def _download(gql, url: str):  # noqa: ANN001
    parts = urlparse(url)
    return await gql.http.get(f"{parts.path}?{parts.query}")


async def test_the_archive_holds_the_users_data_and_no_one_elses(gql):
    clock.set_now(NOW)
    alice = await make_user(email="alice@example.com", real_name="王小丽")
    bob = await make_user(email="bob@example.com", real_name="李大牛")
    carol = await make_user(email="carol@example.com")
    merchant, owner = await make_merchant("街角咖啡")
    await fund(alice, 1000_00)
    await fund(bob, 1000_00)
    await fund(carol, 1000_00)
    card = await make_card(alice, ending="4321")
    await make_card(bob, ending="8765")
    alice_token, bob_token = token_for(alice), token_for(bob)
    transfer = {"input": {"recipient": bob.phone, "amount": "10.00", "paymentPassword": DEFAULT_PIN,
                          "idempotencyKey": "a-b"}}
    assert (await gql.mutate(TRANSFER, transfer, token=alice_token))["errors"] == []
    back = {"input": {"recipient": alice.phone, "amount": "3.00", "paymentPassword": DEFAULT_PIN,
                      "idempotencyKey": "b-a"}}
    assert (await gql.mutate(TRANSFER, back, token=bob_token))["errors"] == []
    pay = {"input": {"merchantNo": merchant.merchant_no, "amount": "7.00", "channel": "WALLET_BALANCE",
                     "paymentPassword": DEFAULT_PIN, "idempotencyKey": "p"}}
    assert (await gql.mutate(PAY, pay, token=alice_token))["errors"] == []
    assert (await gql.mutate(PAY, {**pay, "input": {**pay["input"], "idempotencyKey": "c"}},
                             token=token_for(carol)))["errors"] == []
    await submitted(gql, alice_token, subject="转账到账慢", body="请帮我查一下")
    await submitted(gql, bob_token, subject="鲍勃的工单", body="鲍勃的秘密内容")

    wrong = await gql.mutate(EXPORT, {"password": "wrong-password1"}, token=alice_token)
    assert [(e["code"], e["field"]) for e in wrong["errors"]] == [("INVALID_CREDENTIALS", ["input", "password"])]
    assert wrong["url"] is None

    link = await gql.mutate(EXPORT, {"password": DEFAULT_PASSWORD}, token=alice_token)
    assert link["errors"] == [] and link["url"].startswith("http")
    response = await _download(gql, link["url"])
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    text = response.content.decode("utf-8")
    archive = json.loads(text)

    # The user's own data is there.
    assert archive["profile"]["phone"] == alice.phone and archive["profile"]["email"] == "alice@example.com"
    assert archive["profile"]["realName"] == "王**" and archive["profile"]["realNameStatus"] == "VERIFIED"
    assert archive["wallet"][0]["availableFen"] == 1000_00 - 10_00 + 3_00 - 7_00
    kinds = sorted((t["type"], t["direction"], t["amountFen"]) for t in archive["transactions"])
    assert kinds == [("PAYMENT", "OUT", 7_00), ("TOP_UP", "IN", 1000_00), ("TRANSFER", "IN", 3_00),
                     ("TRANSFER", "OUT", 10_00)]
    assert [c["masked_number"] for c in archive["tables"]["bank_cards"]] == [card.masked_number]
    assert [t["subject"] for t in archive["tables"]["tickets"]] == ["转账到账慢"]
    assert "请帮我查一下" in text
    assert any(r["action"] == "privacy.export_requested" for r in archive["auditTrail"])

    # No secret and nothing of anyone else.
    card_number = crypto.decrypt(card.number_enc)
    for secret in (card_number, card.number_enc, alice.password_hash, alice.payment_password_hash):
        assert secret not in text
    for other in (bob, carol, owner):
        assert other.phone not in text, other.phone
    for foreign in ("bob@example.com", "carol@example.com", "李大牛", "鲍勃的工单", "鲍勃的秘密内容"):
        assert foreign not in text, foreign
    assert await AuditRecord.filter(action="privacy.export_downloaded", actor_id=alice.id).count() == 1


async def test_the_link_is_short_lived_and_cannot_be_altered(gql):
    clock.set_now(NOW)
    alice, bob = await make_user(), await make_user()
    link = (await gql.mutate(EXPORT, {"password": DEFAULT_PASSWORD}, token=token_for(alice)))["url"]
    body, signature = urlparse(link).query.removeprefix("token=").split(".")
    # A body naming Bob with Alice's signature is refused.
    import base64

    decoded = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    decoded["d"]["u"] = bob.id
    forged = base64.urlsafe_b64encode(json.dumps(decoded, separators=(",", ":")).encode()).decode().rstrip("=")
    assert (await gql.http.get(f"/me/export.json?token={forged}.{signature}")).status_code == 403
    assert (await gql.http.get("/me/export.json")).status_code == 403
    # A statement-CSV token does not open the archive.
    csv_link = (await gql.ok('query { statementExport(from: "2026-11-01", to: "2026-11-30") { csvUrl } }',
                             token=token_for(alice)))["statementExport"]["csvUrl"]
    assert (await gql.http.get(f"/me/export.json?{urlparse(csv_link).query}")).status_code == 403
    assert (await _download(gql, link)).status_code == 200
    clock.set_now(NOW + timedelta(minutes=10, seconds=1))
    assert (await _download(gql, link)).status_code == 403


async def test_signed_out_callers_get_nothing(gql):
    result = await gql(EXPORT, {"password": DEFAULT_PASSWORD})
    assert result.error_codes() == ["UNAUTHENTICATED"]


async def test_the_archive_gives_each_transaction_the_direction_the_api_gives_it(gql):
    """Red packets too: sending is OUT, claiming IN (the archive and the API share one table)."""
    from tests.social.support import CLAIM, SEND, send_input

    sender, claimer = await make_user(), await make_user()
    await fund(sender, 100_00)
    sent = await gql.mutate(SEND, send_input("10.00", 1, "EVEN"), token=token_for(sender))
    assert sent["errors"] == []
    claim = await gql.mutate(CLAIM, {"input": {"packetNo": sent["redPacket"]["packetNo"]}}, token=token_for(claimer))
    assert claim["errors"] == []
    history = await gql.ok("{ transactions(first: 10) { edges { node { transactionNo type direction } } } }",
                           token=token_for(claimer))
    served = {(e["node"]["type"], e["node"]["direction"]) for e in history["transactions"]["edges"]}
    assert served == {("RED_PACKET_CLAIM", "IN")}

    for user, expected in ((claimer, [("RED_PACKET_CLAIM", "IN")]),
                           (sender, [("RED_PACKET", "OUT"), ("TOP_UP", "IN")])):
        link = await gql.mutate(EXPORT, {"password": DEFAULT_PASSWORD}, token=token_for(user))
        archive = json.loads((await _download(gql, link["url"])).content.decode("utf-8"))
        assert sorted((t["type"], t["direction"]) for t in archive["transactions"]) == expected
