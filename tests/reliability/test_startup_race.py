"""Issue 16 item 8: start-up is idempotent and safe to run concurrently. Before, every worker
created the same start-up rows (the BANK_CLEARING account, the FAQ), one hit a duplicate key
and uvicorn stopped the whole server in 4 of 5 tries of ``fenpay serve --workers 2``."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app import bootstrap
from app.ledger.accounts import SYSTEM_ACCOUNTS
from models import Account
from models.support import FaqEntry
from tests.conftest import PG_URL
from tests.harness.database import create_test_database, drop_test_database, empty_all_tables
from tests.harness.server import free_port

WORKERS = 4
ROUNDS = 10


async def test_reference_data_written_by_many_at_once_is_written_once():
    await empty_all_tables()
    await asyncio.gather(*(bootstrap.ensure_reference_data() for _ in range(8)))
    codes = sorted(code for code in await Account.filter(kind="SYSTEM").values_list("code", flat=True))
    assert codes == sorted(SYSTEM_ACCOUNTS)
    keys = await FaqEntry.all().values_list("key", flat=True)
    assert len(keys) == len(set(keys)) > 0
    await bootstrap.ensure_reference_data()  # and again on a running database: nothing changes
    assert await Account.filter(kind="SYSTEM").count() == len(SYSTEM_ACCOUNTS)


@dataclass
class Serving:
    process: subprocess.Popen
    port: int
    output: Path

    def text(self) -> str:
        return self.output.read_text(errors="replace")


def _serve(env: dict[str, str], workers: int) -> Serving:
    port = free_port()
    output = Path(env["FENPAY_DATA_DIR"]) / f"serve-{port}.log"
    with open(output, "w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(workers),
             "--log-level", "info"],
            env=env, stdout=sink, stderr=subprocess.STDOUT,
        )
    return Serving(process, port, output)


def _wait_started(serving: Serving, workers: int) -> None:
    """Until every worker completed its start-up and /health answers; fails on an exit."""
    deadline = time.monotonic() + 90
    while True:
        text = serving.text()
        if text.count("Application startup complete.") >= workers:
            try:
                if httpx.get(f"http://127.0.0.1:{serving.port}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
        assert serving.process.poll() is None, f"fenpay serve exited:\n{text[-3000:]}"
        assert time.monotonic() < deadline, f"fenpay serve did not start:\n{text[-3000:]}"
        time.sleep(0.1)  # start-up poll of an external process, not a wait for a job


def _stop(serving: Serving) -> str:
    serving.process.terminate()
    try:
        serving.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        serving.process.kill()
        serving.process.wait()
    return serving.text()


@contextmanager
def _fresh_database() -> Iterator[dict[str, str]]:
    url = create_test_database(PG_URL)
    data_dir = tempfile.mkdtemp(prefix="fenpay-startup-")
    env = {**os.environ, "FENPAY_DATABASE_URL": url, "FENPAY_DATA_DIR": data_dir, "FENPAY_MODE": "sandbox"}
    try:
        yield env
    finally:
        drop_test_database(PG_URL, url)


def _assert_clean_start(output: str) -> None:
    assert "Traceback" not in output, output[-3000:]
    assert "Application startup failed" not in output, output[-3000:]
    assert "duplicate key" not in output, output[-3000:]


@pytest.mark.skipif(not PG_URL, reason="a fresh PostgreSQL database per round")
def test_migrate_then_serve_with_four_workers_starts_ten_times_out_of_ten():
    for _ in range(ROUNDS):
        with _fresh_database() as env:
            migrate = subprocess.run(
                [sys.executable, "-m", "app.cli", "migrate"], env=env, capture_output=True, text=True, timeout=120
            )
            assert migrate.returncode == 0, migrate.stderr
            serving = _serve(env, WORKERS)
            try:
                _wait_started(serving, WORKERS)
            finally:
                output = _stop(serving)
            _assert_clean_start(output)


@pytest.mark.skipif(not PG_URL, reason="a fresh PostgreSQL database")
def test_two_servers_started_at_the_same_moment_on_a_fresh_database_both_start():
    """No `fenpay migrate` first: both migrate (one waits for the other's lock) and both
    sets of workers insert the reference data at once."""
    with _fresh_database() as env:
        servers = [_serve(env, 2), _serve(env, 2)]
        try:
            for serving in servers:
                _wait_started(serving, 2)
        finally:
            outputs = [_stop(serving) for serving in servers]
        for output in outputs:
            _assert_clean_start(output)

