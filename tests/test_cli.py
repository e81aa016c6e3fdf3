"""The `fenpay` command: clear one-line failures, help for every subcommand, jobs on demand."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

SUBCOMMANDS = ["serve", "migrate", "create-staff", "seed-demo", "jobs", "worker", "reconcile", "calendar", "doctor"]


def fenpay(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def _error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("fenpay:")]


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command):
    result = fenpay(command, "--help")
    assert result.returncode == 0
    assert "usage: fenpay" in result.stdout


def test_bad_arguments_give_one_line_and_nonzero_exit():
    result = fenpay("create-staff", "--phone", "13800000000", "--password", "x", "--role", "KING")
    assert result.returncode != 0
    assert "invalid choice" in result.stderr
    assert "Traceback" not in result.stderr


def test_unsupported_database_url_is_one_clear_line(tmp_path):
    result = fenpay("migrate", env={"FENPAY_DATABASE_URL": "mysql://root@localhost/x", "FENPAY_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert _error_lines(result) == [
        "fenpay: FENPAY_DATABASE_URL must start with sqlite:// or postgres://, got 'mysql'"
    ]


def test_unreachable_database_is_one_clear_line(tmp_path):
    env = {"FENPAY_DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere", "FENPAY_DATA_DIR": str(tmp_path)}
    result = fenpay("reconcile", env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = _error_lines(result)
    assert "FENPAY_DATABASE_URL" in line


def test_production_without_secrets_refuses_with_the_variable_named(tmp_path):
    env = {"FENPAY_MODE": "production", "FENPAY_DATA_DIR": str(tmp_path), "FENPAY_JWT_SECRET": ""}
    result = fenpay("serve", env=env)
    assert result.returncode == 2
    assert _error_lines(result) == ["fenpay: FENPAY_JWT_SECRET is required in production mode"]


def test_production_refuses_sandbox_features(tmp_path):
    env = {"FENPAY_MODE": "production", "FENPAY_DATA_DIR": str(tmp_path), "FENPAY_SANDBOX_FEATURES": "on"}
    result = fenpay("serve", env=env)
    assert result.returncode == 2
    assert _error_lines(result) == ["fenpay: FENPAY_SANDBOX_FEATURES must be off in production mode"]


def test_sandbox_secrets_are_generated_owner_only(tmp_path):
    result = fenpay("migrate", env={"FENPAY_DATA_DIR": str(tmp_path), "FENPAY_DATABASE_URL": f"sqlite://{tmp_path}/db.sqlite3"})
    assert result.returncode == 0, result.stderr
    secrets_dir = tmp_path / "secrets"
    assert oct(secrets_dir.stat().st_mode & 0o777) == "0o700"
    files = sorted(p.name for p in secrets_dir.iterdir())
    assert files == ["encryption_key", "jwt_secret", "payment_pepper", "webhook_secret"]
    assert all(oct((secrets_dir / f).stat().st_mode & 0o777) == "0o600" for f in files)


def test_jobs_run_at_an_instant_and_reconcile(test_env):
    result = fenpay("jobs", "run", "--now", "2026-12-01T09:00:00+08:00")
    assert result.returncode == 0, result.stderr
    assert "outbox-sweep:" in result.stdout
    assert "reconcile: ledger clean" in result.stdout
    check = fenpay("reconcile")
    assert check.returncode == 0
    assert "ledger clean" in check.stdout


def test_create_staff_then_promote(test_env):
    first = fenpay("create-staff", "--phone", "13900000077", "--password", "Staff#2026", "--role", "SUPPORT")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("created user")
    again = fenpay("create-staff", "--phone", "13900000077", "--password", "Staff#2026", "--role", "ADMIN")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("promoted user")


async def test_serve_keeps_websockets_uncompressed(tmp_path):
    """`fenpay serve` turns permessage-deflate off: its zlib state was about half of the
    memory an idle subscriber costs, and fenpay's events are small."""
    import httpx
    import websockets

    from tests.harness.server import free_port

    port = free_port()
    env = {**os.environ, "FENPAY_DATA_DIR": str(tmp_path), "FENPAY_DATABASE_URL": f"sqlite://{tmp_path}/db.sqlite3"}
    env.pop("FENPAY_REDIS_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--log-level", "warning"],
                               env=env)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(300):  # start-up poll of an external process
                try:
                    if (await client.get("/health", timeout=1)).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert process.poll() is None, "fenpay serve exited"
                await asyncio.sleep(0.1)
        async with websockets.connect(f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"],
                                      compression="deflate") as ws:
            assert ws.subprotocol == "graphql-transport-ws"
            assert ws.response.headers.get("Sec-WebSocket-Extensions") is None
    finally:
        process.terminate()
        process.wait(timeout=15)
