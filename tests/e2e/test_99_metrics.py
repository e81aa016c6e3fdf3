"""Last module of the suite: the operator scrapes ``/metrics`` after every scenario ran and sees
each family issue 23 lists counting what the suite did, with samples from every worker.

Gauges of live things (websockets, subscriptions) are scraped while one subscription is open;
figures read from the database (PROCESSING by age, outbox backlog) may rightly be zero at the
end, so of those the series must be present, while the counters must be above zero.
"""

from __future__ import annotations

import re

import httpx

from .client import Api

BALANCE_CHANGED = "subscription { balanceChanged { delta available } }"
SAMPLE = re.compile(r"(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>.*)\})? (?P<value>\S+)")
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
# Fresh connections made before scraping, so that with two workers both have taken requests
# (the kernel hands each new connection to one of them).
FRESH_CONNECTIONS = 40


def samples(text: str, name: str) -> list[tuple[dict[str, str], float]]:
    """Every sample of ``name`` as (labels, value)."""
    found = []
    for line in text.splitlines():
        match = SAMPLE.fullmatch(line)
        if match and match["name"] == name:
            found.append((dict(LABEL.findall(match["labels"] or "")), float(match["value"])))
    return found


def total(text: str, name: str, **labels: str) -> float:
    return sum(value for found, value in samples(text, name) if labels.items() <= found.items())


def label_values(text: str, name: str, label: str) -> set[str]:
    """Values of ``label`` among the non-zero samples of ``name``."""
    return {found[label] for found, value in samples(text, name) if value > 0 and label in found}


async def scrape(api: Api, *, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with httpx.AsyncClient(base_url=api.server.url, timeout=30) as fresh:
        return await fresh.get("/metrics", headers=headers)


async def test_metrics_count_every_family_the_suite_exercised(api: Api) -> None:
    assert (await scrape(api, token=None)).status_code == 401
    assert (await scrape(api, token="wrong")).status_code == 401

    for _ in range(FRESH_CONNECTIONS):
        async with httpx.AsyncClient(base_url=api.server.url, timeout=30) as fresh:
            assert (await fresh.get("/health/live")).status_code == 200

    watcher = await api.register()
    async with api.subscription(BALANCE_CHANGED, token=watcher.token):
        response = await scrape(api, token=api.server.metrics_token)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text

    # request latency per GraphQL operation (labelled by root field)
    fields = label_values(text, "fenpay_graphql_operation_seconds_count", "field")
    assert {"pay", "payQrCode", "topUp", "register", "login"} <= fields, sorted(fields)
    assert total(text, "fenpay_graphql_operation_seconds_count", type="mutation", field="pay") > 0
    assert total(text, "fenpay_graphql_operations_total", field="pay", outcome="OK") > 0

    # payments and money movements by type and outcome
    types = label_values(text, "fenpay_money_movements_total", "type")
    assert {"TOP_UP", "PAYMENT", "TRANSFER", "REFUND", "WITHDRAWAL"} <= types, sorted(types)
    assert total(text, "fenpay_money_movements_total", type="PAYMENT", status="SUCCEEDED") > 0
    assert len(label_values(text, "fenpay_money_movements_total", "status")) >= 2
    # ... and those that finished after they were committed (card top-ups answered by the bank, refunds
    # that arrived when the jobs ran)
    assert total(text, "fenpay_money_movements_finished_total", status="SUCCEEDED") > 0

    # risk decisions by rule
    assert total(text, "fenpay_risk_decisions_total", outcome="ALLOW") > 0
    assert len(label_values(text, "fenpay_risk_decisions_total", "rule")) >= 2
    assert len(label_values(text, "fenpay_risk_decisions_total", "outcome")) >= 2

    # PROCESSING movements by age: every age band present
    ages = {found["age"] for found, _ in samples(text, "fenpay_processing_movements")}
    assert ages == {"under_5m", "under_1h", "under_24h", "over_24h"}, ages

    # outbox: events published with their lag measured; backlog and oldest-event lag present
    assert total(text, "fenpay_outbox_publish_lag_seconds_count") > 0
    assert samples(text, "fenpay_outbox_backlog") and samples(text, "fenpay_outbox_lag_seconds")

    # webhook deliveries by outcome (the shop's receiver in test_06)
    assert total(text, "fenpay_webhook_deliveries") > 0
    assert {found["status"] for found, _ in samples(text, "fenpay_webhook_deliveries")} >= {"SUCCEEDED", "FAILED"}

    # websocket connections and subscriptions (the watcher's, open during the scrape)
    assert total(text, "fenpay_websocket_connections") >= 1
    assert total(text, "fenpay_subscriptions") >= 1

    # job runs (by `fenpay jobs run`, sharing the server's metrics folder) and their failures
    assert total(text, "fenpay_job_runs_total", result="ok") > 0
    assert "# TYPE fenpay_job_runs_total counter" in text
    assert total(text, "fenpay_job_seconds_count") > 0

    # database pool usage
    assert total(text, "fenpay_db_pool_connections", state="open") >= 1

    # samples from every worker: each one took some of the fresh connections
    if api.server.workers > 1:  # multi-process mode: one sample per worker process
        busy = label_values(text, "fenpay_worker_requests", "pid")
        assert len(busy) == api.server.workers, samples(text, "fenpay_worker_requests")
    else:
        assert total(text, "fenpay_worker_requests") >= FRESH_CONNECTIONS
