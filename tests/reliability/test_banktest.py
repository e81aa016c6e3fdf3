"""The bank test in its short form (`python -m bench.banktest --quick`), on PostgreSQL + Redis.

Runs as a subprocess against its own database: transfers and payments while database
backends are ended, its own Redis is restarted and a uvicorn worker is killed. Nothing may be
lost or duplicated, and the Redis the suite uses must never have been restarted (the faults go to a
private Redis server the run starts on a free port).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

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
    suite_redis = redis.Redis.from_url(REDIS_URL)
    run_id = suite_redis.info("server")["run_id"]
    run = subprocess.run(
        [sys.executable, "-m", "bench.banktest", "--quick", "--output", str(output)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert suite_redis.info("server")["run_id"] == run_id, "the bank test restarted the suite's Redis"
    suite_redis.close()
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
