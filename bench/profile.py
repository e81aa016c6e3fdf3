"""Profile the `pay` mutation in one process on PostgreSQL + Redis (pyinstrument).

    python -m bench.profile [--scenario pay|transactions] [--requests N] [--concurrency C]
                                [--html out.html] [--cprofile] [--cpu] [--no-apq]

Creates its own database (dropped afterwards), seeds it with bench.seed, then sends `pay`
(or `transactions(first: 20)` for a user with 10,000 rows) requests through the ASGI app (no
network, no uvicorn) and prints pyinstrument's report and the SQL statements per request. pyinstrument is not a dependency: `pip install pyinstrument`.
``--cpu`` runs no profiler and prints the process CPU time per request instead (the least of
``--rounds`` rounds) (client and
server in this one process; PostgreSQL and Redis excluded): the figure to compare before and
after a change, far less sensitive to other load on the machine than requests per second.
Requests carry the persisted-query hash of their document (APQ) as bench.load's do; ``--no-apq``
sends the text instead, for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import random
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import scenarios
from .run import PG_SERVER, admin, bench_env, prepare


async def _drive(env: dict[str, str], scenario: str, tokens: list[str], history_token: str,
                 merchant_nos: list[str], pin: str,
                 requests: int, concurrency: int, html: str | None, flat: bool, cpu_only: bool = False, cpu_rounds: int = 5,
                 apq: bool = True) -> None:
    import httpx
    from pyinstrument import Profiler

    from app import runtime
    from app.http.asgi import create_app
    from app.settings import load_settings

    os.environ.update(env)
    settings = load_settings()
    await runtime.start(settings)
    statements = 0
    try:
        import asyncpg.connection as pgconn

        last: list[str] = []

        def counted(fn, *, only_without_arguments: bool = False):  # noqa: ANN001, ANN202
            async def wrapper(self, *a, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
                nonlocal statements
                # execute() with arguments goes through _execute(): count it there, once.
                if not (only_without_arguments and len(a) > 1):
                    statements += 1
                    last.append(str(a[0] if a else kw.get("query", ""))[:110])
                return await fn(self, *a, **kw)
            return wrapper

        # Every statement asyncpg sends: prepared ones through _execute (fetch, fetchrow, execute
        # with arguments), simple ones through execute without arguments (BEGIN, COMMIT, ...);
        # executemany is counted as one statement.
        pgconn.Connection._execute = counted(pgconn.Connection._execute)  # type: ignore[method-assign]
        pgconn.Connection.execute = counted(pgconn.Connection.execute, only_without_arguments=True)  # type: ignore[method-assign]
        pgconn.Connection.executemany = counted(pgconn.Connection.executemany)  # type: ignore[method-assign]
        app = create_app(settings, manage_runtime=False)
        if scenario == "pay":
            make, check = scenarios.FenpayPay(tokens, merchant_nos, pin, apq=apq), scenarios.check_pay
        else:
            make, check = scenarios.FenpayTransactions(history_token, apq=apq), scenarios.check_transactions
        rng = random.Random(1)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            async def one(i: int) -> None:
                path, body, headers = make(rng, i)
                response = await client.post(path, json=body, headers=headers)
                if scenarios.persisted_query_missed(body, response.json()):
                    response = await client.post(path, json=scenarios.with_text(body), headers=headers)
                problem = check(response.status_code, response.json())
                assert problem is None, (problem, response.text)

            for i in range(20):  # warm caches and pools
                await one(-i - 1)
            last.clear()
            await one(-100)
            print(f"SQL statements of one {scenario} request:")
            print("\n".join(f"  {n:2}. {text}" for n, text in enumerate(last, 1)))
            statements = 0
            profiler: Any = None
            if not cpu_only:
                profiler = cProfile.Profile() if flat else Profiler(async_mode="enabled")
                profiler.enable() if flat else profiler.start()
            loop = asyncio.get_running_loop()
            counter = iter(range(10**9))
            rounds: list[float] = []
            for _ in range(1 if profiler is not None else cpu_rounds):
                cpu_started = time.process_time()
                queue = iter(range(requests))

                async def worker(jobs: Iterator[int]) -> None:
                    for _ in jobs:
                        await one(next(counter))

                started = loop.time()
                await asyncio.gather(*(worker(queue) for _ in range(concurrency)))
                elapsed = loop.time() - started
                rounds.append(time.process_time() - cpu_started)
            cpu = min(rounds)
            calls = 0
            if cpu_only:  # one more round under cProfile: function calls are a noise-free count
                counting = cProfile.Profile()
                counting.enable()
                counted = iter(range(requests))
                await asyncio.gather(*(worker(counted) for _ in range(concurrency)))
                counting.disable()
                calls = pstats.Stats(counting).total_calls  # type: ignore[attr-defined]
            if profiler is not None:
                profiler.disable() if flat else profiler.stop()
        if cpu_only:
            print(f"CPU time in this process: {cpu * 1000 / requests:.2f} ms per {scenario} request"
                  f" (least of {len(rounds)} rounds: " + ", ".join(f"{r * 1000 / requests:.2f}" for r in rounds) + ");"
                  f" {calls / requests:,.0f} Python function calls per request")
        elif flat:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(45)
        else:
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        if html and profiler is not None and not flat:
            Path(html).write_text(profiler.output_html())
        print(f"{requests} {scenario} requests in {elapsed:.2f} s: {requests / elapsed:.0f}/s in one process, "
              f"{statements / requests / (len(rounds) + bool(calls)):.1f} SQL statements each")
    finally:
        await runtime.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--scenario", choices=("pay", "transactions"), default="pay")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--html")
    parser.add_argument("--cprofile", action="store_true", help="a flat cProfile table instead of pyinstrument")
    parser.add_argument("--cpu", action="store_true", help="no profiler: CPU time per request in this process")
    parser.add_argument("--rounds", type=int, default=5, help="with --cpu: rounds of --requests, the least CPU time counts")
    parser.add_argument("--no-apq", action="store_true", help="send the query text, not its persisted-query hash")
    args = parser.parse_args()
    name = f"fenpay_prof_{secrets.token_hex(3)}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    data_dir = Path(os.environ.get("TMPDIR", "/tmp")) / name
    data_dir.mkdir(parents=True, exist_ok=True)
    env = bench_env(PG_SERVER.rsplit("/", 1)[0] + f"/{name}", data_dir)
    try:
        history = 10_000 if args.scenario == "transactions" else 0
        seeded, tokens, history_token, pin = asyncio.run(
            prepare(env, {"users": 300, "history": history * 2, "history_user": history})
        )
        asyncio.run(_drive(env, args.scenario, tokens, history_token, seeded.merchant_nos, pin, args.requests, args.concurrency, args.html, args.cprofile, args.cpu, args.rounds, not args.no_apq))
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
