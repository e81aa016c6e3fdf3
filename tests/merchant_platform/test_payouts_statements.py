"""Payouts and daily statements through the public API, with the jobs run on demand at injected times.

A payout holds its amount out of ``available`` while PROCESSING, arrives on the next Chinese
business day through the payout job (PAYOUT_PAID webhook, signed), or is released when the
bank refuses (PAYOUT_FAILED). The statement exists once the day-end job ran for the China day;
its CSV (signed short-lived URL, no token) sums to the postings of the merchant's account that day.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from app import clock
from app.business_days import CHINA
from app.jobs.registry import run_once
from app.ledger.reconcile import reconcile
from app.money import parse_yuan
from examples.merchant_server import EventInbox, webhook_app
from models import Journal, Posting, User
from models.merchant_platform_events import MerchantEvent, WebhookEndpoint
from schema.node import to_global_id
from tests.factories import DEFAULT_PIN, fund, make_card, make_merchant, make_user, token_for
from tests.harness.graphql import user_error_codes
from tests.payments.support import PAY

from .helpers import CREATE_ENDPOINT
from .receiver import serve

# Wednesday 2026-12-02, 10:00 China time; the next business day starts 2026-12-03 09:00 China.
T1 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
ARRIVAL = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)

REQUEST_PAYOUT = """
mutation($input: RequestPayoutInput!) { requestPayout(input: $input) {
  payout { id amount fee status expectedArrivalAt paidAt bankCard { last4 } transaction { transactionNo type status } }
  errors { code message field } } }"""

MERCHANT_MONEY = """
query($no: String!, $date: String!) { merchant(merchantNo: $no) {
  account { available frozen }
  payouts(first: 10) { totalCount edges { node { id amount status paidAt transaction { status } } } }
  statement(date: $date) { date orderCount grossAmount refundAmount feeAmount netAmount payoutAmount ledgerChange csvUrl }
} }"""


async def _pay(gql, payer, merchant_no: str, amount: str, key: str) -> None:  # noqa: ANN001
    payload = await gql.mutate(
        PAY,
        {"input": {"merchantNo": merchant_no, "amount": amount, "channel": "WALLET_BALANCE",
                   "paymentPassword": DEFAULT_PIN, "idempotencyKey": key, "description": f"订单 {key}"}},
        token=token_for(payer),
    )
    assert payload["errors"] == [], payload


def _payout_input(merchant_no: str, card_id: str, amount: str, key: str, pin: str = DEFAULT_PIN) -> dict:
    return {"input": {"merchantNo": merchant_no, "amount": amount, "bankCardId": card_id,
                      "paymentPassword": pin, "idempotencyKey": key}}


async def _money(gql, merchant_no: str, owner, day: str) -> dict:  # noqa: ANN001
    return (await gql.ok(MERCHANT_MONEY, {"no": merchant_no, "date": day}, token=token_for(owner)))["merchant"]


async def _csv(http, url: str) -> tuple[int, str]:  # noqa: ANN001
    parts = urlsplit(url)
    response = await http.get(f"{parts.path}?{parts.query}")  # no Authorization header
    return response.status_code, response.content.decode("utf-8") if response.status_code == 200 else response.text


def _rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")  # BOM, so spreadsheet programs read UTF-8
    return list(csv.DictReader(io.StringIO(text[1:])))


async def _postings_sum(account_id: int, start: datetime, end: datetime) -> int:
    rows = await Posting.filter(account_id=account_id, created_at__gte=start, created_at__lt=end).values_list(
        "amount", flat=True
    )
    return sum(rows)


async def test_payout_holds_then_arrives_next_business_day_and_statements_tie_to_the_ledger(gql, http) -> None:  # noqa: ANN001
    clock.set_now(T1)
    merchant, owner = await make_merchant()
    payer = await make_user()
    await fund(payer, 100_000)
    await _pay(gql, payer, merchant.merchant_no, "300.00", "order-1")
    await _pay(gql, payer, merchant.merchant_no, "125.50", "order-2")
    card = await make_card(owner, ending="4321")
    card_id = to_global_id("BankCard", card.id)
    inbox = EventInbox()
    async with serve(webhook_app("pending", inbox)) as base:
        created = await gql.mutate(
            CREATE_ENDPOINT, {"input": {"url": f"{base}/fenpay/webhook", "events": ["PAYOUT_PAID"]}},
            token=token_for(owner),
        )
        secret = created["secret"]

        # Refusals: too much, wrong password, someone else's card, malformed id.
        too_much = await gql.mutate(REQUEST_PAYOUT, _payout_input(merchant.merchant_no, card_id, "425.51", "p0"),
                                    token=token_for(owner))
        assert user_error_codes(too_much) == ["INSUFFICIENT_FUNDS"]
        wrong_pin = await gql.mutate(
            REQUEST_PAYOUT, _payout_input(merchant.merchant_no, card_id, "10.00", "p0", pin="975318"),
            token=token_for(owner),
        )
        assert user_error_codes(wrong_pin) == ["INVALID_PAYMENT_PASSWORD"]
        stranger_card = to_global_id("BankCard", (await make_card(payer, ending="5555")).id)
        foreign = await gql.mutate(REQUEST_PAYOUT, _payout_input(merchant.merchant_no, stranger_card, "10.00", "p0"),
                                   token=token_for(owner))
        assert user_error_codes(foreign) == ["NOT_FOUND"]
        not_owner = await gql.mutate(REQUEST_PAYOUT, _payout_input(merchant.merchant_no, card_id, "10.00", "p0"),
                                     token=token_for(payer))
        assert user_error_codes(not_owner) == ["NOT_FOUND"]

        requested = await gql.mutate(REQUEST_PAYOUT, _payout_input(merchant.merchant_no, card_id, "200.00", "p1"),
                                     token=token_for(owner))
        assert requested["errors"] == []
        payout = requested["payout"]
        assert payout["status"] == "PROCESSING" and payout["amount"] == "200.00" and payout["fee"] == "0.00"
        assert datetime.fromisoformat(payout["expectedArrivalAt"]) == ARRIVAL
        assert payout["bankCard"]["last4"] == "4321" and payout["transaction"]["type"] == "PAYOUT"
        # Idempotent: the same key answers the same payout; another request under it is refused.
        again = await gql.mutate(REQUEST_PAYOUT, _payout_input(merchant.merchant_no, card_id, "200.00", "p1"),
                                 token=token_for(owner))
        assert again["payout"]["id"] == payout["id"]
        reused = await gql.mutate(REQUEST_PAYOUT, _payout_input(merchant.merchant_no, card_id, "100.00", "p1"),
                                  token=token_for(owner))
        assert user_error_codes(reused) == ["IDEMPOTENCY_KEY_REUSED"]

        money = await _money(gql, merchant.merchant_no, owner, "2026-12-02")
        assert money["account"] == {"available": "225.50", "frozen": "200.00"}  # held while PROCESSING
        assert money["statement"] is None  # the day has not ended
        # The held money cannot be paid out twice.
        second = await gql.mutate(REQUEST_PAYOUT, _payout_input(merchant.merchant_no, card_id, "225.51", "p2"),
                                  token=token_for(owner))
        assert user_error_codes(second) == ["INSUFFICIENT_FUNDS"]

        await run_once(T1 + timedelta(hours=3))  # not due yet
        money = await _money(gql, merchant.merchant_no, owner, "2026-12-02")
        assert money["payouts"]["edges"][0]["node"]["status"] == "PROCESSING"

        inbox_app = webhook_app(secret, inbox, clock=lambda: clock.now().timestamp())
        async with serve(inbox_app) as base2:
            # Point the endpoint's URL at the verifying receiver (same secret).
            await WebhookEndpoint.filter(merchant_id=merchant.id).update(url=f"{base2}/fenpay/webhook")
            await run_once(ARRIVAL)  # the payout job pays it out; the webhook goes out in the same run
            clock.set_now(ARRIVAL)
            money = await _money(gql, merchant.merchant_no, owner, "2026-12-02")

    node = money["payouts"]["edges"][0]["node"]
    assert node["status"] == "PAID" and datetime.fromisoformat(node["paidAt"]) == ARRIVAL
    assert node["transaction"]["status"] == "SUCCEEDED"
    assert money["account"] == {"available": "225.50", "frozen": "0.00"}
    (event,) = inbox.events.values()
    assert event["type"] == "PAYOUT_PAID" and event["payout"]["amount"] == "200.00"
    assert event["payout"]["status"] == "PAID" and event["payout"]["bankCard"].endswith("4321")

    # The statement of 2026-12-02 (built by the day-end job in the run at ARRIVAL).
    statement = money["statement"]
    assert statement["date"] == "2026-12-02" and statement["orderCount"] == 2
    assert statement["grossAmount"] == "425.50" and statement["refundAmount"] == "0.00"
    assert statement["feeAmount"] == "0.00" and statement["netAmount"] == "425.50"
    assert statement["payoutAmount"] == "0.00"  # the payout was paid on the 3rd
    status, text = await _csv(http, statement["csvUrl"])
    assert status == 200
    rows = _rows(text)
    assert [row["type"] for row in rows] == ["ORDER", "ORDER", "TOTAL"]
    assert [row["amount"] for row in rows] == ["300.00", "125.50", "425.50"]
    day_start = datetime(2026, 12, 2, tzinfo=CHINA)
    posted = await _postings_sum(merchant.account_id, day_start, day_start + timedelta(days=1))
    assert sum(parse_yuan(row["amount"]) for row in rows if row["type"] != "TOTAL") == posted == 42550

    # The 3rd: the payout row ties to the posting that paid it (the hold and nothing else nets to zero).
    await run_once(datetime(2026, 12, 3, 16, 30, tzinfo=UTC))
    clock.set_now(datetime(2026, 12, 3, 16, 31, tzinfo=UTC))
    money = await _money(gql, merchant.merchant_no, owner, "2026-12-03")
    statement = money["statement"]
    assert statement["orderCount"] == 0 and statement["payoutAmount"] == "200.00"
    assert statement["ledgerChange"] == "-200.00"
    status, text = await _csv(http, statement["csvUrl"])
    rows = _rows(text)
    assert [(row["type"], row["amount"]) for row in rows] == [("PAYOUT", "-200.00"), ("TOTAL", "-200.00")]
    day_start = datetime(2026, 12, 3, tzinfo=CHINA)
    assert await _postings_sum(merchant.account_id, day_start, day_start + timedelta(days=1)) == -20000

    # The link is short-lived and signed.
    url = statement["csvUrl"]
    assert (await _csv(http, url.replace("signature=", "signature=0")))[0] == 403
    clock.set_now(datetime(2026, 12, 3, 16, 42, tzinfo=UTC))
    assert (await _csv(http, url))[0] == 403
    # Someone else sees no statement.
    other = await _money(gql, merchant.merchant_no, payer, "2026-12-03")
    assert other["statement"] is None and other["payouts"]["totalCount"] == 0
    assert (await reconcile()).clean
    clock.set_now(None)


async def test_refused_payout_is_released_and_announced(gql) -> None:  # noqa: ANN001
    clock.set_now(T1)
    merchant, owner = await make_merchant()
    payer = await make_user()
    await fund(payer, 50_000)
    await _pay(gql, payer, merchant.merchant_no, "80.00", "o-1")
    declined_card = await make_card(owner, ending="0002")  # the sandbox bank refuses payouts to it
    requested = await gql.mutate(
        REQUEST_PAYOUT,
        _payout_input(merchant.merchant_no, to_global_id("BankCard", declined_card.id), "80.00", "k"),
        token=token_for(owner),
    )
    assert requested["payout"]["status"] == "PROCESSING"
    assert (await _money(gql, merchant.merchant_no, owner, "2026-12-02"))["account"] == {
        "available": "0.00", "frozen": "80.00"
    }
    await run_once(ARRIVAL)
    clock.set_now(ARRIVAL)
    money = await _money(gql, merchant.merchant_no, owner, "2026-12-02")
    assert money["payouts"]["edges"][0]["node"]["status"] == "FAILED"
    assert money["account"] == {"available": "80.00", "frozen": "0.00"}
    (event,) = await MerchantEvent.filter(merchant_id=merchant.id, type="PAYOUT_FAILED")
    body = json.loads(event.payload)
    assert body["payout"]["status"] == "FAILED" and body["payout"]["failureReason"]
    assert await Journal.filter(kind="RELEASE").count() == 1
    assert (await reconcile()).clean
    clock.set_now(None)


async def test_unverified_owner_cannot_pay_out(gql) -> None:  # noqa: ANN001
    owner = await make_user(verified=False)
    merchant, owner = await make_merchant("未实名商户", owner)
    card = await make_card(owner)
    refused = await gql.mutate(
        REQUEST_PAYOUT, _payout_input(merchant.merchant_no, to_global_id("BankCard", card.id), "1.00", "k"),
        token=token_for(owner),
    )
    assert user_error_codes(refused) == ["REAL_NAME_REQUIRED"]


async def test_frozen_owner_cannot_pay_out(gql) -> None:  # noqa: ANN001
    merchant, owner = await make_merchant()
    card = await make_card(owner)
    await User.filter(id=owner.id).update(status="FROZEN")
    refused = await gql.mutate(
        REQUEST_PAYOUT, _payout_input(merchant.merchant_no, to_global_id("BankCard", card.id), "1.00", "k"),
        token=token_for(owner),
    )
    assert user_error_codes(refused) == ["ACCOUNT_FROZEN"]


async def test_unanswered_payout_stays_held_until_recovery_asks_the_bank(gql) -> None:  # noqa: ANN001
    """0091: the bank pays but the answer is lost; 0092: the call times out and nothing was done."""
    clock.set_now(T1)
    results = {}
    for suffix, expected in (("0091", "PAID"), ("0092", "FAILED")):
        merchant, owner = await make_merchant(f"店 {suffix}")
        payer = await make_user()
        await fund(payer, 20_000)
        await _pay(gql, payer, merchant.merchant_no, "50.00", f"o-{suffix}")
        card = await make_card(owner, ending=suffix)
        requested = await gql.mutate(
            REQUEST_PAYOUT,
            _payout_input(merchant.merchant_no, to_global_id("BankCard", card.id), "50.00", f"k-{suffix}"),
            token=token_for(owner),
        )
        assert requested["errors"] == []
        results[suffix] = (merchant, owner, expected)
    await run_once(ARRIVAL)
    clock.set_now(ARRIVAL)
    for merchant, owner, _ in results.values():
        money = await _money(gql, merchant.merchant_no, owner, "2026-12-02")
        assert money["payouts"]["edges"][0]["node"]["status"] == "PROCESSING"
        assert money["account"] == {"available": "0.00", "frozen": "50.00"}  # still held
    later = ARRIVAL + timedelta(minutes=10)  # past the processing grace: rail recovery asks the bank
    await run_once(later)
    clock.set_now(later)
    for merchant, owner, expected in results.values():
        money = await _money(gql, merchant.merchant_no, owner, "2026-12-02")
        assert money["payouts"]["edges"][0]["node"]["status"] == expected
        assert money["account"] == (
            {"available": "0.00", "frozen": "0.00"} if expected == "PAID" else {"available": "50.00", "frozen": "0.00"}
        )
        (event,) = await MerchantEvent.filter(merchant_id=merchant.id)
        assert event.type == f"PAYOUT_{expected}"
    assert (await reconcile()).clean
    clock.set_now(None)
