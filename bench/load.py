"""Load generation from separate processes: closed loop (N clients as fast as they go)
or open loop (a fixed arrival rate), with per-request latencies."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import scenarios
from .httpclient import HttpConnection

# A request factory returns (path, json body, headers) for request number i.
RequestFactory = Callable[[random.Random, int], tuple[str, dict, dict[str, str]]]
# A response check returns None when fine, else an error label.
ResponseCheck = Callable[[int, dict], str | None]


@dataclass
class Result:
    ok: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def merge(self, other: Result) -> None:
        self.ok += other.ok
        for k, v in other.errors.items():
            self.errors[k] = self.errors.get(k, 0) + v
        self.latencies.extend(other.latencies)
        self.seconds = max(self.seconds, other.seconds)

    @property
    def throughput(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


async def _one(conn: HttpConnection, make: RequestFactory, check: ResponseCheck, rng: random.Random, i: int, result: Result) -> None:
    path, body, headers = make(rng, i)
    start = time.perf_counter()
    try:
        status, data = await conn.post_json(path, body, headers)
        if scenarios.persisted_query_missed(body, data):  # nothing ran: send the text once
            status, data = await conn.post_json(path, scenarios.with_text(body), headers)
        problem = check(status, data)
    except Exception as exc:  # noqa: BLE001 - counted, not raised
        problem = type(exc).__name__
    result.latencies.append(time.perf_counter() - start)
    if problem is None:
        result.ok += 1
    else:
        result.errors[problem] = result.errors.get(problem, 0) + 1


async def _closed_loop(host, port, clients, seconds, make, check, seed) -> Result:  # noqa: ANN001
    result = Result()
    deadline = time.perf_counter() + seconds
    rng = random.Random(seed)
    counter = iter(range(10**9))

    async def client() -> None:
        conn = HttpConnection(host, port, resend_after_idle_close=True)
        while time.perf_counter() < deadline:
            await _one(conn, make, check, rng, next(counter) * 1000 + seed, result)
        conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    result.seconds = time.perf_counter() - start
    return result


async def _open_loop(host, port, rate, seconds, make, check, seed) -> Result:  # noqa: ANN001
    """Requests arrive at ``rate``/s regardless of responses (latency without coordinated omission)."""
    result = Result()
    rng = random.Random(seed)
    pool: list[HttpConnection] = []
    pending: set[asyncio.Task] = set()
    start = time.perf_counter()
    n = int(rate * seconds)

    async def fire(i: int) -> None:
        conn = pool.pop() if pool else HttpConnection(host, port, resend_after_idle_close=True)
        await _one(conn, make, check, rng, i * 1000 + seed, result)
        pool.append(conn)

    for i in range(n):
        target = start + i / rate
        delay = target - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(fire(i))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.gather(*pending)
    result.seconds = time.perf_counter() - start
    for conn in pool:
        conn.close()
    return result


def _worker(args: tuple) -> Result:
    mode, host, port, amount, seconds, make, check, seed = args
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    if mode == "closed":
        return asyncio.run(_closed_loop(host, port, amount, seconds, make, check, seed))
    return asyncio.run(_open_loop(host, port, amount, seconds, make, check, seed))


def run(
    host: str,
    port: int,
    *,
    make: RequestFactory,
    check: ResponseCheck,
    seconds: float,
    clients: int | None = None,
    rate: float | None = None,
    processes: int = 2,
) -> Result:
    """Closed loop with ``clients`` in total, or open loop at ``rate`` per second in total."""
    if clients is not None:
        per = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
        jobs = [("closed", host, port, c, seconds, make, check, 7919 * (i + 1)) for i, c in enumerate(per)]
    else:
        assert rate is not None
        jobs = [("open", host, port, rate / processes, seconds, make, check, 7919 * (i + 1)) for i in range(processes)]
    ctx = mp.get_context("fork")
    with ctx.Pool(processes) as pool:
        parts = pool.map(_worker, jobs)
    total = Result()
    for part in parts:
        total.merge(part)
    return total
