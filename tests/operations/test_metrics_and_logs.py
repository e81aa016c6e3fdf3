"""Operators' view of the shipped server: Prometheus metrics that add up across two workers,
liveness/readiness, JSON logs that parse line by line with request id, user id and duration."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from tests.harness.fenpay_serve import fenpay_serve

# Families every scrape has (multi-process mode lists a counter only once it has samples;
# the money, risk and job families are checked where those happen, in test_metrics_hooks.py).
FAMILIES = (
    "fenpay_graphql_operation_seconds", "fenpay_graphql_operations_total", "fenpay_websocket_connections",
    "fenpay_processing_movements", "fenpay_outbox_backlog", "fenpay_outbox_lag_seconds",
    "fenpay_webhook_deliveries", "fenpay_outbound_messages",
)


def sample(text: str, name: str, **labels: str) -> float:
    """Sum of the samples of ``name`` whose labels include ``labels``."""
    total = 0.0
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if match and all(f'{k}="{v}"' in (match.group(1) or "") for k, v in labels.items()):
            total += float(match.group(2))
    return total


def test_metrics_of_two_workers_add_up_whichever_worker_is_scraped(test_env):
    with fenpay_serve(test_env, workers=2) as served:
        for _ in range(30):  # a new connection each time, so both workers take some
            assert httpx.post(f"{served.http_url}/graphql", json={"query": "{ viewer { id } }"}).status_code == 200
        httpx.post(f"{served.http_url}/graphql", json={"query": "{ nope }"})
        scrapes = [httpx.get(f"{served.http_url}/metrics").text for _ in range(6)]
        assert httpx.get(f"{served.http_url}/health/live").json() == {"status": "ok"}
        assert httpx.get(f"{served.http_url}/health/ready").json()["status"] == "ready"
    for text in scrapes:
        assert sample(text, "fenpay_graphql_operations_total", field="viewer", outcome="OK") == 30
        assert sample(text, "fenpay_graphql_operation_seconds_count", type="query", field="viewer") == 30
        for family in FAMILIES:
            assert f"# HELP {family} " in text, family
    assert "Traceback" not in served.output()


def test_metrics_need_the_token_when_one_is_set(test_env):
    with fenpay_serve({**test_env, "FENPAY_METRICS_TOKEN": "scrape-secret-1"}) as served:
        assert httpx.get(f"{served.http_url}/metrics").status_code == 401
        wrong = httpx.get(f"{served.http_url}/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = httpx.get(f"{served.http_url}/metrics", headers={"Authorization": "Bearer scrape-secret-1"})
        assert right.status_code == 200 and "fenpay_outbox_backlog" in right.text


@pytest.mark.parametrize("phone", ["13800007788"])
def test_json_logs_parse_line_by_line_with_request_context_and_no_personal_data(test_env, phone):
    with fenpay_serve({**test_env, "FENPAY_LOG_FORMAT": "json"}) as served:
        login = """mutation($p: String!) { login(input: {identifier: $p, password: "Wrong#pass1"})
                   { errors { code } } }"""
        answer = httpx.post(f"{served.http_url}/graphql", json={"query": login, "variables": {"p": phone}},
                            headers={"X-Request-ID": "req-json-1"})
        assert answer.headers["x-request-id"] == "req-json-1"
        httpx.post(f"{served.http_url}/graphql", json={"query": "{ viewer { id } }"})
        output = served.output()
    records = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert records, output
    operation = next(r for r in records if r["message"] == "operation" and r["request_id"] == "req-json-1")
    assert operation["operation"] == "login" and operation["outcome"] == "INVALID_CREDENTIALS"
    assert isinstance(operation["duration_ms"], float) and "user_id" in operation
    assert any(r["logger"] == "uvicorn.access" and "POST /graphql" in r["message"] for r in records)
    assert all({"time", "level", "logger", "message"} <= r.keys() for r in records)
    assert phone not in output and "Traceback" not in output


def test_metrics_off_counts_nothing_and_serves_no_metrics(test_env):
    with fenpay_serve({**test_env, "FENPAY_METRICS": "off"}, workers=2) as served:
        for _ in range(5):
            assert httpx.post(f"{served.http_url}/graphql", json={"query": "{ viewer { id } }"}).status_code == 200
        assert httpx.get(f"{served.http_url}/metrics").status_code == 404
        assert httpx.get(f"{served.http_url}/health/ready").json()["status"] == "ready"
    assert "Traceback" not in served.output()


def test_metrics_setting_must_be_on_or_off(monkeypatch):
    from app.settings import ConfigurationError, load_settings

    monkeypatch.setenv("FENPAY_METRICS", "sometimes")
    with pytest.raises(ConfigurationError, match="FENPAY_METRICS"):
        load_settings()
