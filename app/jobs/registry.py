"""How the job list (app/jobs/catalog.py) runs: once on demand (`fenpay jobs run`) or on a schedule."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from .. import clock, runtime
from .catalog import JOBS
from .job import Job, JobFunc

__all__ = ["Job", "JobFunc", "all_jobs", "run_forever", "run_once"]

log = logging.getLogger(__name__)


async def _run_measured(job: Job, now: datetime) -> str:
    """Run one job, counting the run and its duration (``fenpay_job_*`` metrics)."""
    import time

    from ..ops import metrics

    started = time.perf_counter()
    try:
        summary = await job.run(now)
    except Exception:
        metrics.JOB_RUNS.labels(job.name, "failed").inc()
        raise
    finally:
        metrics.JOB_SECONDS.labels(job.name).observe(time.perf_counter() - started)
    metrics.JOB_RUNS.labels(job.name, "ok").inc()
    return summary


def all_jobs() -> list[Job]:
    """The explicit job list of app/jobs/catalog.py."""
    return JOBS


async def run_once(now: datetime) -> list[tuple[str, str]]:
    """Run every job once at ``now``; returns (name, what it did)."""
    clock.set_now(now)
    try:
        results = []
        for job in all_jobs():
            results.append((job.name, await _run_measured(job, now)))
        return results
    finally:
        clock.set_now(None)


async def run_forever(stop: asyncio.Event, tick_seconds: float = 5.0) -> None:
    """Run each job when its interval has passed. A short store lock keeps each run single
    across worker processes (Redis when configured)."""
    last_run: dict[str, float] = {}
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        for job in all_jobs():
            if loop.time() - last_run.get(job.name, -1e9) < job.every_seconds:
                continue
            last_run[job.name] = loop.time()
            kv = runtime.get().kv
            try:
                locked = await kv.set(f"job-lock:{job.name}", "1", max(job.every_seconds - 1, 1), only_new=True)
            except Exception as exc:  # store unreachable (Redis restarting): try again next tick
                log.warning("job %s postponed: lock store unavailable (%s)", job.name, type(exc).__name__)
                del last_run[job.name]
                continue
            if not locked:
                continue
            try:
                summary = await _run_measured(job, clock.now())
                log.info("job %s: %s", job.name, summary)
            except Exception:
                log.exception("job %s failed", job.name)
        try:
            await asyncio.wait_for(stop.wait(), timeout=tick_seconds)
        except TimeoutError:
            pass
