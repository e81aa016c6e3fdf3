"""The counters move where things happen: a payment counts as a money movement and a risk
decision, a refused one as a refusal, a job run as a run (read back through GET /metrics)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.jobs.registry import run_once
from tests.factories import DEFAULT_PIN, card_number, fund, make_merchant, make_user, token_for
from tests.operations.test_metrics_and_logs import sample

PAY = """mutation($m: String!, $a: Money!, $k: String!) { pay(input: {merchantNo: $m, amount: $a,
  channel: WALLET_BALANCE, paymentPassword: "%s", idempotencyKey: $k}) { errors { code } } }""" % DEFAULT_PIN


async def scrape(http) -> str:  # noqa: ANN001
    response = await http.get("/metrics")
    assert response.status_code == 200
    return response.text


async def test_payments_jobs_and_risk_decisions_are_counted(http, gql):
    payer = await make_user()
    await fund(payer, 5_000)
    merchant, _ = await make_merchant("计数小店")
    before = await scrape(http)

    paid = await gql.mutate(PAY, {"m": merchant.merchant_no, "a": "10.00", "k": "m-1"}, token=token_for(payer))
    assert paid["errors"] == []
    refused = await gql.mutate(PAY, {"m": merchant.merchant_no, "a": "99.00", "k": "m-2"}, token=token_for(payer))
    assert refused["errors"][0]["code"] == "INSUFFICIENT_FUNDS"
    await run_once(datetime.now(UTC))
    after = await scrape(http)

    def grew(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert grew("fenpay_money_movements_total", type="PAYMENT", status="SUCCEEDED") == 1
    assert grew("fenpay_risk_decisions_total", outcome="ALLOW") >= 1
    assert grew("fenpay_graphql_operations_total", field="pay", outcome="OK") == 1
    assert grew("fenpay_graphql_operations_total", field="pay", outcome="INSUFFICIENT_FUNDS") == 1
    assert grew("fenpay_job_runs_total", job="outbox-sweep", result="ok") == 1
    assert grew("fenpay_job_seconds_count", job="outbox-sweep") == 1


async def test_movements_that_finish_later_are_counted_once_when_they_finish(http, gql):
    """A card top-up whose answer was lost (0091) and one the bank never did (0092) are committed
    PROCESSING; the recovery job finishes them SUCCEEDED and FAILED, and a third-party payment
    finishes when the provider confirms: each counts once as finished, and running the jobs again
    counts nothing more (found by the review: finishes were never counted)."""
    from datetime import timedelta

    from app import clock
    from tests.money.support import bind_card, top_up

    wednesday = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
    clock.set_now(wednesday)
    user = await make_user()
    merchant, _ = await make_merchant()
    done_card = await bind_card(gql, user, card_number(ending="0091"))
    lost_card = await bind_card(gql, user, card_number(ending="0092"))
    before = await scrape(http)
    for card in (done_card, lost_card):
        answer = await top_up(gql, user, "200", card=card)
        assert answer["transaction"]["status"] == "PROCESSING", answer
    checkout = await gql.mutate(
        """mutation($i: PayInput!) { pay(input: $i) { transaction { transactionNo status } errors { code } } }""",
        {"i": {"merchantNo": merchant.merchant_no, "amount": "50.00", "channel": "THIRD_PARTY",
               "paymentPassword": DEFAULT_PIN, "idempotencyKey": "later-1"}},
        token=token_for(user),
    )
    assert checkout["transaction"]["status"] == "PENDING", checkout
    transaction_no = checkout["transaction"]["transactionNo"]
    assert (await http.post(f"/sandbox/checkout/{transaction_no}/complete")).status_code == 200
    for _ in range(2):  # the second run finds nothing left to finish
        await run_once(wednesday + timedelta(minutes=3))
        clock.set_now(wednesday + timedelta(minutes=3))
    after = await scrape(http)

    def grew(status: str, type_: str) -> float:
        name = "fenpay_money_movements_finished_total"
        return sample(after, name, type=type_, status=status) - sample(before, name, type=type_, status=status)

    assert grew("SUCCEEDED", "TOP_UP") == 1
    assert grew("FAILED", "TOP_UP") == 1
    assert grew("SUCCEEDED", "PAYMENT") == 1
    clock.set_now(None)
