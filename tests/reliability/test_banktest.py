"""The bank test in its short form (`python -m bench.banktest --quick`), on PostgreSQL + Redis.

Runs as a subprocess against its own database: transfers and payments while database
backends are ended, Redis is restarted and a uvicorn worker is killed. Nothing may be lost
or duplicated, and Redis must be serving again when it is over (the rest of the suite uses it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.banktest.faults import redis_up
from tests.conftest import PG_URL, REDIS_URL

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not (PG_URL and REDIS_URL), reason="needs PostgreSQL and Redis (FENPAY_TEST_DATABASE_URL, FENPAY_TEST_REDIS_URL)"
)


def test_quick_bank_test_loses_nothing(tmp_path):  # noqa: ANN001
    output = tmp_path / "banktest.json"
    env = {**os.environ, "FENPAY_BENCH_PG": PG_URL, "FENPAY_BENCH_REDIS": REDIS_URL}
    # The run's own settings come from bench_env; nothing of the test session leaks in.
    for name in [n for n in env if n.startswith("FENPAY_") and not n.startswith(("FENPAY_BENCH_", "FENPAY_TEST_"))]:
        del env[name]
    try:
        run = subprocess.run(
            [sys.executable, "-m", "bench.banktest", "--quick", "--output", str(output)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
        )
    finally:
        assert redis_up(urlsplit(REDIS_URL).port or 6379), "Redis must be up again after the bank test"
    assert output.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads(output.read_text())
    summary = run.stdout[-4000:]
    figures = report["figures"]
    assert figures["lost_or_duplicated_money_fen"] == 0, summary
    assert figures["grand_total_after"] == figures["grand_total_before"], summary
    assert figures["unresolved_calls"] == 0, summary
    assert figures["events_lost"] == 0 and figures["events_duplicated_unmarked"] == 0, summary
    assert all(count >= 3 for count in report["faults"]["counts"].values()), report["faults"]
    assert report["operations"]["ok"] > 100, report["operations"]
    failed = [c for c in report["checks"] if not c["ok"]]
    assert not failed, (failed, summary)
    assert run.returncode == 0, summary
