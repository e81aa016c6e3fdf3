"""Production refuses unsafe settings, and no schema hints leak once introspection is off (issue 17)."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys

import httpx
import pytest

from tests.harness.server import run_server

STRONG = {
    "FENPAY_JWT_SECRET": secrets.token_urlsafe(48),
    "FENPAY_PAYMENT_PEPPER": secrets.token_urlsafe(48),
    "FENPAY_WEBHOOK_SECRET": secrets.token_urlsafe(48),
    "FENPAY_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    # Production also needs its message channels (the refusals tested here come after those).
    "FENPAY_SMS_PROVIDER": "gateway",
    "FENPAY_SMS_GATEWAY_URL": "http://127.0.0.1:9/sms",
    "FENPAY_SMS_GATEWAY_SECRET": secrets.token_urlsafe(32),
    "FENPAY_SMTP_HOST": "127.0.0.1",
}


def _serve(tmp_path, *extra: str, **env: str) -> subprocess.CompletedProcess[str]:  # noqa: ANN001
    base = {"FENPAY_MODE": "production", "FENPAY_DATA_DIR": str(tmp_path), **STRONG,
            "FENPAY_DATABASE_URL": f"sqlite://{tmp_path}/db.sqlite3", "FENPAY_REDIS_URL": ""}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--port", "1", *extra],
        capture_output=True, text=True, timeout=60, env={**os.environ, **base, **env},
    )


def _error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("fenpay:")]


@pytest.mark.parametrize("variable", ["FENPAY_JWT_SECRET", "FENPAY_PAYMENT_PEPPER", "FENPAY_WEBHOOK_SECRET"])
def test_production_refuses_short_secrets(tmp_path, variable):
    result = _serve(tmp_path, **{variable: "a" * 31})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert _error_lines(result) == [f"fenpay: {variable} must be at least 32 bytes in production mode"]


def test_production_refuses_a_wildcard_origin(tmp_path):
    result = _serve(tmp_path, FENPAY_ALLOWED_ORIGINS="https://shop.example, *")
    assert result.returncode == 2
    assert _error_lines(result) == ["fenpay: FENPAY_ALLOWED_ORIGINS must list origins, not '*', in production mode"]


def test_production_refuses_several_workers_on_sqlite_or_without_redis(tmp_path):
    on_sqlite = _serve(tmp_path, "--workers", "2")
    assert on_sqlite.returncode == 2
    assert _error_lines(on_sqlite) == ["fenpay: several workers need PostgreSQL (FENPAY_DATABASE_URL), not SQLite"]
    without_redis = _serve(tmp_path, "--workers", "2", FENPAY_DATABASE_URL="postgres://postgres@127.0.0.1:1/x")
    assert _error_lines(without_redis) == [
        "fenpay: several workers need Redis (FENPAY_REDIS_URL) for shared limits and events"]


def test_no_field_suggestions_once_introspection_is_off(test_env, platform):  # noqa: ANN001
    with run_server(test_env, extra_env={"FENPAY_INTROSPECTION": "false"}) as server:
        for query in ("{ viewr { id } }", "{ viewer { phon } }", "mutation { transfr }"):
            body = httpx.post(f"{server.http_url}/graphql", json={"query": query}, timeout=10).json()
            assert body["errors"], body
            assert all("Did you mean" not in e["message"] for e in body["errors"]), body
    with run_server(test_env) as server:  # sandbox default: introspection and hints on
        body = httpx.post(f"{server.http_url}/graphql", json={"query": "{ viewr { id } }"}, timeout=10).json()
        assert "Did you mean" in body["errors"][0]["message"]
