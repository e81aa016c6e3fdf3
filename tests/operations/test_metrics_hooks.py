"""The counters move where things happen: a payment counts as a money movement and a risk
decision, a refused one as a refusal, a job run as a run (read back through GET /metrics)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.jobs.registry import run_once
from app.payments.merchants import create_merchant
from tests.operations.test_metrics_and_logs import sample
from tests.support.factories import DEFAULT_PIN, fund, make_user, token_for

PAY = """mutation($m: String!, $a: Money!, $k: String!) { pay(input: {merchantNo: $m, amount: $a,
  channel: WALLET_BALANCE, paymentPassword: "%s", idempotencyKey: $k}) { errors { code } } }""" % DEFAULT_PIN


async def scrape(http) -> str:  # noqa: ANN001
    response = await http.get("/metrics")
    assert response.status_code == 200
    return response.text


async def test_payments_jobs_and_risk_decisions_are_counted(http, gql):
    payer = await make_user()
    await fund(payer, 5_000)
    owner = await make_user()
    merchant = await create_merchant("计数小店", "餐饮", owner.phone, actor_id=None)
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
