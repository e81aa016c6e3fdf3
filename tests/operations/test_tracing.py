"""Traces of the shipped server: with FENPAY_OTEL_ENDPOINT set, one `pay` exports spans for the
HTTP request (with the GraphQL operation on it) and, on PostgreSQL + Redis, for the SQL
statements and Redis commands, to a local OTLP/HTTP collector. Off when unset."""

from __future__ import annotations

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.conftest import PG_URL, REDIS_URL
from tests.factories import DEFAULT_PIN, fund, make_merchant, make_user, token_for
from tests.harness.server import run_server
from tests.operations.receivers import HttpReceiver

PAY = """mutation($m: String!) { pay(input: {merchantNo: $m, amount: "12.34", channel: WALLET_BALANCE,
  paymentPassword: "%s", idempotencyKey: "trace-1"}) { transaction { transactionNo } errors { code } } }""" % DEFAULT_PIN


def exported_spans(receiver: HttpReceiver) -> list[tuple[str, dict[str, object]]]:
    spans = []
    for post in receiver.posts:
        request = ExportTraceServiceRequest.FromString(post.body)
        for resource in request.resource_spans:
            for scope in resource.scope_spans:
                for span in scope.spans:
                    attributes = {a.key: a.value.string_value or a.value.int_value for a in span.attributes}
                    spans.append((span.name, attributes))
    return spans


async def test_one_pay_is_traced_through_request_sql_and_redis(test_env):
    payer = await make_user()
    await fund(payer, 10_000)
    merchant, _ = await make_merchant("追踪小店")
    with HttpReceiver() as collector:
        env = {**test_env, "FENPAY_OTEL_ENDPOINT": collector.url, "OTEL_BSP_SCHEDULE_DELAY": "100"}
        with run_server(env) as server:
            answer = httpx.post(f"{server.http_url}/graphql", json={"query": PAY, "variables": {"m": merchant.merchant_no}},
                                headers={"Authorization": f"Bearer {token_for(payer)}"}, timeout=20).json()
            assert answer["data"]["pay"]["errors"] == [], answer
        # the server flushes its spans when it stops
        spans = exported_spans(collector)
    request = [attrs for name, attrs in spans if attrs.get("fenpay.graphql_operation") == "mutation pay"]
    assert request, [name for name, _ in spans]
    if PG_URL:
        assert any("db.statement" in attrs or "db.query.text" in attrs for _, attrs in spans), spans
    if REDIS_URL:
        assert any(attrs.get("db.system") == "redis" for _, attrs in spans), spans


def test_tracing_is_off_without_an_endpoint():
    from app.ops import tracing

    assert tracing.enabled() is False
    assert tracing.current_trace_id() is None
