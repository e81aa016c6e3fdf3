"""`fenpay worker` keeps running when its lock store (Redis) is briefly unreachable.

Found by the bank test: a Redis restart made the job lock raise out of ``run_forever`` and
the worker process exited, so the outbox sweeper stopped until someone restarted it."""

from __future__ import annotations

import asyncio
from datetime import datetime

from app import runtime
from app.jobs import registry
from app.jobs.registry import Job


async def test_worker_survives_an_unreachable_lock_store(monkeypatch):
    kv = runtime.get().kv
    real_set = kv.set
    attempts: list[str] = []

    async def flaky_set(key: str, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        attempts.append(key)
        if len(attempts) <= 2:
            raise ConnectionError("Connection closed by server.")
        return await real_set(key, *args, **kwargs)

    stop = asyncio.Event()
    ran: list[datetime] = []

    async def job(now: datetime) -> str:
        ran.append(now)
        stop.set()
        return "ran"

    monkeypatch.setattr(kv, "set", flaky_set)
    monkeypatch.setattr(registry, "all_jobs", lambda: [Job("reliability-probe", 3600, job)])
    await asyncio.wait_for(registry.run_forever(stop, tick_seconds=0.01), timeout=10)
    assert len(ran) == 1
    assert attempts == ["job-lock:reliability-probe"] * 3
