"""Prometheus metrics (``GET /metrics``, text format via prometheus-client).

With several uvicorn workers ``fenpay serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh
folder before the workers start, so every worker writes its samples there and a scrape of
any worker sees all of them (prometheus-client's multi-process mode). Counters and
histograms are updated where things happen; figures that live in the database (movements
waiting on a channel, outbox backlog, webhook deliveries, undelivered messages) are read at
scrape time, so they are the same whichever worker answers.

Labels are bounded: GraphQL operations are labelled by their root field (a schema name), never
by the client-chosen operation name.

``FENPAY_METRICS=off`` turns metrics off (to measure their cost): every metric below is then a
no-op stand-in and ``/metrics`` is not served. Processes that run jobs (``fenpay worker``,
``fenpay jobs run``) count into the server's scrape when they share its
``PROMETHEUS_MULTIPROC_DIR`` (README "Operations").
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any, cast

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from .. import clock
from ..settings import metrics_enabled


class _Off:
    """What every metric is with metrics off: ``labels(...)``, ``inc``, ``dec``, ``set``, ``observe`` do nothing."""

    def labels(self, *values: str) -> _Off:
        return self

    def inc(self, amount: float = 1) -> None:
        pass

    def dec(self, amount: float = 1) -> None:
        pass

    def set(self, value: float) -> None:
        pass

    def observe(self, value: float) -> None:
        pass


ENABLED = metrics_enabled()
MULTIPROCESS = ENABLED and bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def _metric(kind: Any, *args: Any, **kwargs: Any) -> Any:
    """``kind(*args, **kwargs)``, or a no-op with metrics off."""
    return kind(*args, **kwargs) if ENABLED else _Off()


LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

GRAPHQL_SECONDS = _metric(Histogram,
    "fenpay_graphql_operation_seconds", "GraphQL operation latency by operation type and root field.",
    ["type", "field"], buckets=LATENCY_BUCKETS,
)
GRAPHQL_OUTCOMES = _metric(Counter,
    "fenpay_graphql_operations_total", "GraphQL operations by root field and outcome (OK or the error code).",
    ["type", "field", "outcome"],
)
MONEY_MOVEMENTS = _metric(Counter,
    "fenpay_money_movements_total", "Money movements by transaction type and resulting status.", ["type", "status"],
)
MOVEMENTS_FINISHED = _metric(Counter,
    "fenpay_money_movements_finished_total",
    "Money movements that reached a final status after they were committed (channel completions, recovery,"
    " refund arrivals, payouts), by transaction type and final status.", ["type", "status"],
)
RISK_DECISIONS = _metric(Counter,
    "fenpay_risk_decisions_total", "Risk decisions by outcome and rule.", ["outcome", "rule"],
)
JOB_RUNS = _metric(Counter, "fenpay_job_runs_total", "Scheduled job runs by job and result.", ["job", "result"])
JOB_SECONDS = _metric(Histogram, "fenpay_job_seconds", "Scheduled job durations.", ["job"], buckets=LATENCY_BUCKETS)
WEBSOCKETS = _metric(Gauge, "fenpay_websocket_connections", "Open websocket connections.", multiprocess_mode="livesum")
SUBSCRIPTIONS = _metric(Gauge, "fenpay_subscriptions", "Active event subscriptions.", multiprocess_mode="livesum")

# Read from the database at scrape time ("mostrecent": whichever worker answered last).
PROCESSING_BY_AGE = _metric(Gauge,
    "fenpay_processing_movements", "Movements waiting on an external channel (PROCESSING), by age.",
    ["age"], multiprocess_mode="mostrecent",
)
OUTBOX_BACKLOG = _metric(Gauge, "fenpay_outbox_backlog", "Events committed but not yet published.", multiprocess_mode="mostrecent")
OUTBOX_LAG = _metric(Gauge, "fenpay_outbox_lag_seconds", "Age of the oldest unpublished event.", multiprocess_mode="mostrecent")
WEBHOOK_DELIVERIES = _metric(Gauge,
    "fenpay_webhook_deliveries", "Merchant webhook deliveries by status.", ["status"], multiprocess_mode="mostrecent",
)
MESSAGES = _metric(Gauge, "fenpay_outbound_messages", "SMS and email messages by status.", ["status"],
                 multiprocess_mode="mostrecent")
# Set by each worker per request: in multi-process mode one sample per worker (label ``pid``),
# so an operator sees how the load spreads over the workers.
WORKER_REQUESTS = _metric(Gauge, "fenpay_worker_requests", "HTTP requests and websocket connections this worker took.",
                        multiprocess_mode="all")
OUTBOX_PUBLISHED = _metric(Histogram,
    "fenpay_outbox_publish_lag_seconds", "Time from an event's commit to its publication to the broker.",
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0),
)
DB_POOL = _metric(Gauge, "fenpay_db_pool_connections", "Database pool connections of this process, by state.",
                ["state"], multiprocess_mode="livesum")

AGE_BUCKETS = (("under_5m", timedelta(minutes=5)), ("under_1h", timedelta(hours=1)),
               ("under_24h", timedelta(hours=24)))


async def refresh_database_gauges() -> None:
    """Read the database-backed figures (a handful of COUNT queries)."""
    from tortoise import connections

    from models import OutboxEvent, Transaction
    from models.merchant_platform_events import WebhookDelivery
    from models.messaging import OutboundMessage

    now = clock.now()
    newer_than = now
    for label, age in AGE_BUCKETS:
        count = await Transaction.filter(status="PROCESSING", created_at__gt=now - age,
                                         created_at__lte=newer_than).count()
        PROCESSING_BY_AGE.labels(label).set(count)
        newer_than = now - age
    PROCESSING_BY_AGE.labels("over_24h").set(
        await Transaction.filter(status="PROCESSING", created_at__lte=newer_than).count())

    backlog = OutboxEvent.filter(published_at=None)
    OUTBOX_BACKLOG.set(await backlog.count())
    oldest = cast("datetime | None", await backlog.order_by("id").first().values_list("created_at", flat=True))
    OUTBOX_LAG.set(max((now - oldest).total_seconds(), 0.0) if oldest else 0.0)

    for status in ("PENDING", "SUCCEEDED", "FAILED"):
        WEBHOOK_DELIVERIES.labels(status).set(await WebhookDelivery.filter(status=status).count())
    for status in ("PENDING", "SENDING", "SENT", "DEAD"):
        MESSAGES.labels(status).set(await OutboundMessage.filter(status=status).count())

    client = connections.get("default")
    pool = getattr(client, "_pool", None)
    if pool is not None and hasattr(pool, "get_size"):  # asyncpg (PostgreSQL)
        DB_POOL.labels("open").set(pool.get_size())
        DB_POOL.labels("idle").set(pool.get_idle_size())
    elif getattr(client, "_connection", None) is not None:  # SQLite: one connection, no pool
        DB_POOL.labels("open").set(1)


def exposition() -> tuple[bytes, str]:
    """The text exposition of every worker's samples (or this process's, with one process)."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def worker_exited(pid: int) -> None:
    """Drop a dead worker's live gauges (multi-process mode)."""
    if MULTIPROCESS:
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
