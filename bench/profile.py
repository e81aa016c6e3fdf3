"""Profile the `pay` mutation in one process on PostgreSQL + Redis (pyinstrument).

    python -m bench.profile [--scenario pay|transactions] [--requests N] [--concurrency C]
                                [--html out.html] [--cprofile]

Creates its own database (dropped afterwards), seeds it with bench.seed, then sends `pay`
(or `transactions(first: 20)` for a user with 10,000 rows) requests through the ASGI app (no
network, no uvicorn) and prints pyinstrument's report and the SQL statements per request. pyinstrument is not a dependency: `pip install pyinstrument`.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import random
import secrets
from pathlib import Path

from . import scenarios
from .run import admin, bench_env, prepare, PG_SERVER


async def _drive(env: dict[str, str], scenario: str, tokens: list[str], history_token: str,
                 merchant_nos: list[str], pin: str,
                 requests: int, concurrency: int, html: str | None, flat: bool) -> None:
    import httpx
    from pyinstrument import Profiler

    from app.http.asgi import create_app
    from app.settings import load_settings
    from app import runtime

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
            make, check = scenarios.FenpayPay(tokens, merchant_nos, pin), scenarios.check_pay
        else:
            make, check = scenarios.FenpayTransactions(history_token), scenarios.check_transactions
        rng = random.Random(1)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            async def one(i: int) -> None:
                path, body, headers = make(rng, i)
                response = await client.post(path, json=body, headers=headers)
                problem = check(response.status_code, response.json())
                assert problem is None, (problem, response.text)

            for i in range(20):  # warm caches and pools
                await one(-i - 1)
            last.clear()
            await one(-100)
            print(f"SQL statements of one {scenario} request:")
            print("\n".join(f"  {n:2}. {text}" for n, text in enumerate(last, 1)))
            statements = 0
            profiler = cProfile.Profile() if flat else Profiler(async_mode="enabled")
            profiler.enable() if flat else profiler.start()
            queue = iter(range(requests))

            async def worker() -> None:
                for i in queue:
                    await one(i)

            loop = asyncio.get_running_loop()
            started = loop.time()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = loop.time() - started
            profiler.disable() if flat else profiler.stop()
        if flat:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(45)
        else:
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        if html and not flat:
            Path(html).write_text(profiler.output_html())
        print(f"{requests} {scenario} requests in {elapsed:.2f} s: {requests / elapsed:.0f}/s in one process, "
              f"{statements / requests:.1f} SQL statements each")
    finally:
        await runtime.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--scenario", choices=("pay", "transactions"), default="pay")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--html")
    parser.add_argument("--cprofile", action="store_true", help="a flat cProfile table instead of pyinstrument")
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
        asyncio.run(_drive(env, args.scenario, tokens, history_token, seeded.merchant_nos, pin, args.requests, args.concurrency, args.html, args.cprofile))
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
