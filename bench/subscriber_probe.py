"""The subscriber scenario alone: memory per idle ``balanceChanged`` subscriber and commit-to-client latency.

    python -m bench.subscriber_probe --subscribers 2000                 # RSS per idle subscriber
    python -m bench.subscriber_probe --subscribers 2000 --rate 150      # + payments at 150/s, latency
    python -m bench.subscriber_probe --subscribers 500 --trace          # where the memory goes (tracemalloc)

Creates its own PostgreSQL database (dropped afterwards), seeds ``--subscribers`` users and
100 merchants, and runs ``bench.run.subscriber_scenario``: a one-worker ``fenpay serve`` in
production configuration (PostgreSQL + Redis) holds the subscriptions while a two-worker server
takes the payments. ``--trace`` instead serves the subscriptions from this process (the same
uvicorn options as ``fenpay serve``) under tracemalloc and prints the allocation sites that grew
between before and after the subscribers connected, per subscriber.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import secrets
import sys
import tracemalloc
from pathlib import Path
from typing import Any

from . import run as bench_run
from .subscribers import rss_kib, run_subscribers


def _site(traceback: tracemalloc.Traceback) -> str:
    """The innermost frame outside the standard library (``package/module.py:line``)."""
    stdlib = os.path.dirname(os.__file__)
    for frame in reversed(traceback):  # most recent call last
        if not frame.filename.startswith(stdlib) or "site-packages" in frame.filename:
            return f"{frame.filename.split('site-packages/')[-1].split('/wt/subscribers/')[-1]}:{frame.lineno}"
    return f"{traceback[-1].filename}:{traceback[-1].lineno}"


async def _gc_pauses(port: int, tokens: list[str], gc_mode: str) -> None:
    """A full collection's pause with ``len(tokens)`` idle subscribers connected."""
    import gc
    import time

    if gc_mode == "plain":
        gc.unfreeze()  # what the worker froze at start-up goes back to the collector
    parent, child = mp.get_context("spawn").Pipe()
    proc = mp.get_context("spawn").Process(target=run_subscribers, args=(f"ws://127.0.0.1:{port}/graphql", tokens, child, 0))
    proc.start()
    loop = asyncio.get_running_loop()
    assert await loop.run_in_executor(None, parent.recv) == "ready"
    await asyncio.sleep(1.0)
    pauses = []
    for _ in range(5):
        started = time.perf_counter()
        gc.collect()
        pauses.append((time.perf_counter() - started) * 1000)
    print(f"gc {gc_mode}: {len(gc.get_objects())} tracked objects ({gc.get_freeze_count()} frozen), "
          f"full collection {min(pauses):.1f}-{max(pauses):.1f} ms (median {sorted(pauses)[2]:.1f})")
    parent.send("stop")
    await loop.run_in_executor(None, parent.recv)
    proc.join(30)


def _trace(env: dict[str, str], tokens: list[str], top: int, ws: str | None, gc_mode: str | None = None) -> None:
    """Serve subscriptions in this process and print what N idle subscribers allocated; with
    ``gc_mode`` ("plain" or "frozen": ``gc.freeze()`` once started, as a worker does) print the
    objects the collector tracks and how long a full collection takes instead."""
    os.environ.update(env)
    import uvicorn

    from app.cli import uvicorn_options
    from app.settings import load_settings

    port = bench_run.free_port()
    options = uvicorn_options(load_settings(), workers=1, log_level="warning")
    if ws:
        options["ws"] = ws  # compare uvicorn's websocket implementations
    config = uvicorn.Config(port=port, **options)
    server = uvicorn.Server(config)

    async def main() -> None:
        serving = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.05)
        if gc_mode is not None:
            await _gc_pauses(port, tokens, gc_mode)
            server.should_exit = True
            await serving
            return
        tracemalloc.start(12)
        before = tracemalloc.take_snapshot()
        rss_before = rss_kib(os.getpid())
        parent, child = mp.get_context("spawn").Pipe()
        proc = mp.get_context("spawn").Process(
            target=run_subscribers, args=(f"ws://127.0.0.1:{port}/graphql", tokens, child, 0)
        )
        proc.start()
        loop = asyncio.get_running_loop()
        assert await loop.run_in_executor(None, parent.recv) == "ready"
        await asyncio.sleep(1.0)
        after = tracemalloc.take_snapshot()
        rss_after = rss_kib(os.getpid())
        stats = after.compare_to(before, "traceback")
        grown = sum(s.size_diff for s in stats)
        n = len(tokens)
        print(f"traced: {grown / 1024 / n:.1f} KiB per subscriber; RSS {(rss_after - rss_before) / n:.1f} KiB "
              "per subscriber (RSS includes tracemalloc's own overhead)")
        by_site: dict[str, int] = {}
        for stat in stats:
            by_site[_site(stat.traceback)] = by_site.get(_site(stat.traceback), 0) + stat.size_diff
        print("\nby innermost non-stdlib frame:")
        for site, size in sorted(by_site.items(), key=lambda kv: -kv[1])[:top]:
            print(f"{size / 1024 / n:7.2f} KiB/sub  {site}")
        for stat in stats[:top]:
            if stat.size_diff <= 0:
                continue
            print(f"\n{stat.size_diff / 1024 / n:7.2f} KiB/sub  {stat.count_diff / n:6.1f} blocks/sub")
            for line in stat.traceback.format()[-12:]:
                print("    " + line)
        parent.send("stop")
        await loop.run_in_executor(None, parent.recv)
        proc.join(30)
        server.should_exit = True
        await serving

    asyncio.run(main())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.subscriber_probe")
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=0.0, help="payments per second while subscribed (0: none)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--trace", action="store_true", help="tracemalloc in-process instead of RSS")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--gc", choices=("plain", "frozen"), help="time a full collection (in-process)")
    parser.add_argument("--ws", help="with --trace: uvicorn's websocket implementation instead of fenpay serve's")
    args = parser.parse_args(argv)
    name = f"fenpay_subprobe_{secrets.token_hex(3)}"
    asyncio.run(bench_run.admin(f'CREATE DATABASE "{name}"'))
    database_url = bench_run.PG_SERVER.rsplit("/", 1)[0] + f"/{name}"
    data_dir = Path(os.environ.get("TMPDIR", "/tmp")) / name
    data_dir.mkdir(parents=True, exist_ok=True)
    env = bench_run.bench_env(database_url, data_dir)
    sizes = {"users": args.subscribers, "history": 0, "history_user": 0}
    try:
        seeded, tokens, _history_token, pin = asyncio.run(bench_run.prepare(env, sizes))
        if args.trace or args.gc:
            _trace(env, tokens, args.top, args.ws, args.gc)
            return 0
        result: dict[str, Any]
        with bench_run.Server(env, workers=2) as payer:
            result = bench_run.subscriber_scenario(
                env, payer.port, tokens, seeded.merchant_nos, pin, rate=max(args.rate, 0.001),
                seconds=args.seconds if args.rate else 1,
            )
        print({k: v for k, v in result.items()})
    finally:
        asyncio.run(bench_run.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return 0


if __name__ == "__main__":
    sys.exit(main())
