"""`fenpay backup` and `fenpay restore`: a consistent copy restored into a fresh, empty
database reconciles to the same figures (SQLite online backup API / pg_dump + pg_restore)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from app import audit, runtime
from tests.factories import fund, make_user
from tests.harness.database import _admin, _with_database
from tests.risk.helpers import withdraw_to_bank

# Tests here may run first: the database must be up before the per-test clean-up.
pytestmark = pytest.mark.usefixtures("platform")

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER_URL = os.environ.get("FENPAY_TEST_DATABASE_URL")


def fenpay(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=180,
    )


@pytest.fixture
def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="fenpay-backup-"))


@pytest_asyncio.fixture
async def fresh_database(workdir: Path) -> AsyncIterator[str]:
    """The URL of a new, empty database on the backend under test."""
    if PG_SERVER_URL:
        name = f"fenpay_restore_{secrets.token_hex(4)}"
        await _admin(PG_SERVER_URL, f'CREATE DATABASE "{name}"')
        try:
            yield _with_database(PG_SERVER_URL, name)
        finally:
            await _admin(PG_SERVER_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite://{workdir / 'restored.sqlite3'}"


async def _populate() -> None:
    alice, bob = await make_user(), await make_user()
    await fund(alice, 123_456)
    await fund(bob, 10_000)
    await withdraw_to_bank(alice, 23_456)
    await audit.record("LOGIN", actor_id=alice.id, ip="10.1.2.3")


async def test_backup_and_restore_round_trip(test_env, workdir, fresh_database):
    await _populate()
    original = fenpay(test_env, "reconcile")
    assert original.returncode == 0, original.stderr
    assert "wallet_available_fen: 110000" in original.stdout

    backup_file = workdir / "fenpay.backup"
    made = fenpay(test_env, "backup", str(backup_file))
    assert made.returncode == 0, made.stderr
    assert backup_file.stat().st_size > 0
    assert (backup_file.stat().st_mode & 0o077) == 0  # personal data: owner-only

    target_env = {**test_env, "FENPAY_DATABASE_URL": fresh_database}
    restored = fenpay(target_env, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    copy = fenpay(target_env, "reconcile")
    assert copy.returncode == 0, copy.stderr
    assert copy.stdout == original.stdout

    # A second restore into the now populated database is refused, and changes nothing.
    again = fenpay(target_env, "restore", str(backup_file))
    assert again.returncode == 2 and "not empty" in again.stderr
    assert fenpay(target_env, "reconcile").stdout == original.stdout


async def test_backup_refuses_to_overwrite_and_restore_refuses_foreign_files(test_env, workdir, fresh_database):
    existing = workdir / "taken.backup"
    existing.write_bytes(b"keep me")
    refused = fenpay(test_env, "backup", str(existing))
    assert refused.returncode == 2 and "already exists" in refused.stderr
    assert existing.read_bytes() == b"keep me"

    garbage = workdir / "garbage.backup"
    garbage.write_bytes(b"not a database at all")
    target_env = {**test_env, "FENPAY_DATABASE_URL": fresh_database}
    bad = fenpay(target_env, "restore", str(garbage))
    assert bad.returncode == 2
    expected = "PostgreSQL custom-format dump" if runtime.settings().is_postgres else "SQLite database backup"
    assert expected in bad.stderr
    missing = fenpay(target_env, "restore", str(workdir / "absent.backup"))
    assert missing.returncode == 2 and "is not a file" in missing.stderr
