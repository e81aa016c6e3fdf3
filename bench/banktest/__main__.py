"""Run the bank test: ``python -m bench.banktest [--minutes M] [--quick]``.

1. Creates a fresh PostgreSQL database, seeds N users with known balances and some merchants.
2. Starts fenpay in production mode on PostgreSQL + Redis: an API server with 2 uvicorn
   workers, a single-worker server for websocket subscribers, and `fenpay worker` (jobs).
3. Load processes send `transfer` and `pay`, and some card `topUp` and card `pay` through
   the sandbox bank with normal, 0091 and 0092 cards, for the set time; unknown outcomes are
   retried with the same idempotency key. Meanwhile the fault injector (loopback only) ends the
   database's backends, restarts Redis and SIGKILLs one uvicorn worker, in turn.
4. Runs the jobs once past the recovery grace period (`fenpay jobs run --now`), checks the
   invariants (bench/banktest/checks.py, bench/banktest/rails.py), runs `fenpay reconcile`,
   prints a summary and writes bench/results/banktest.json. Exit status 0 only if all hold.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import secrets
import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.run import PG_SERVER, RESULTS, admin, bench_env, reconcile

from . import checks, rails
from .faults import KINDS, FaultInjector, ensure_redis, free_port, require_loopback, stop_redis
from .load import Party, Plan, load_process
from .servers import ApiServer, JobWorker, wait_for
from .subscribers import subscriber_process


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.banktest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long the load runs (default 10)")
    parser.add_argument("--quick", action="store_true", help="a short run for CI (about 40 s of load)")
    parser.add_argument("--users", type=int, default=None)
    parser.add_argument("--merchants", type=int, default=8)
    parser.add_argument("--subscribers", type=int, default=None)
    parser.add_argument("--processes", type=int, default=2, help="load processes")
    parser.add_argument("--clients", type=int, default=8, help="concurrent calls per load process")
    parser.add_argument("--fault-interval", type=float, default=None, help="seconds between faults")
    parser.add_argument("--no-faults", action="store_true", help="the same run without faults (a baseline)")
    parser.add_argument("--output", type=Path, default=RESULTS / "banktest.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds = 40.0
        args.users = args.users or 40
        args.subscribers = args.subscribers or 6
        args.fault_interval = args.fault_interval or 2.0
    else:
        args.seconds = args.minutes * 60
        args.users = args.users or 80
        args.subscribers = args.subscribers or 12
        args.fault_interval = args.fault_interval or 8.0
    return args


async def _prepare(env: dict[str, str], users: int, merchants: int) -> tuple[list[Party], list[str]]:
    """Migrate and seed with fenpay's own code (like bench/run.py) and mint access tokens."""
    os.environ.update(env)
    from app import db, runtime
    from app.identity.tokens import issue_access_token
    from app.settings import load_settings
    from bench.seed import seed

    settings = load_settings()
    await db.migrate(settings)
    await runtime.start(settings)
    try:
        async with db.atomic() as conn:
            seeded = await seed(conn, users=users, merchants=merchants, balance_fen=5_000_000, history_rows=0,
                                history_user_rows=0)
        from models import User

        phones = {u.id: u.phone for u in await User.filter(id__in=seeded.user_ids)}
        cards = await rails.seed_cards([(uid, phones[uid]) for uid in seeded.user_ids])
        parties = [Party(uid, phones[uid], issue_access_token(uid)[0], cards[uid]) for uid in seeded.user_ids]
    finally:
        await runtime.stop()
    return parties, seeded.merchant_nos


def _env(database_url: str, data_dir: Path, redis_url: str) -> dict[str, str]:
    env = bench_env(database_url, data_dir)
    env.update({
        # Sandbox mode for its channels: the sandbox bank (with its 0091/0092 faults) is the
        # rail the card calls go through. Every secret is still given explicitly.
        "FENPAY_MODE": "sandbox",
        "FENPAY_REDIS_URL": redis_url,
        # The test is about faults, not risk rules: keep velocity and daily limits out of the way.
        "FENPAY_RISK_VELOCITY_COUNT": "100000000",
        "FENPAY_RISK_DAILY_OUT_LIMIT_FEN": str(10**15),
        "FENPAY_RISK_STEP_UP_FEN": str(10**12),
        "FENPAY_ACCESS_TOKEN_TTL": str(6 * 3600),
        "FENPAY_DB_POOL_MAX": "8",
    })
    return env


def _wait_outbox_drained(url: str, timeout: float) -> int:
    """Seconds-bounded wait until every outbox event is published; returns those still pending."""
    async def pending() -> int:
        import asyncpg

        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://"))
        try:
            return int(await conn.fetchval("SELECT COUNT(*) FROM outbox_events WHERE published_at IS NULL"))
        finally:
            await conn.close()

    deadline = time.monotonic() + timeout
    left = asyncio.run(pending())
    while left and time.monotonic() < deadline:
        time.sleep(1.0)
        left = asyncio.run(pending())
    return left


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    require_loopback(PG_SERVER)
    # Redis is restarted by the fault injector: the run gets a private server on a free port, so
    # a test suite (or anything else) using the machine's Redis never sees it go down.
    redis_port = free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    name = f"fenpay_banktest_{secrets.token_hex(3)}"
    database_url = PG_SERVER.rsplit("/", 1)[0] + f"/{name}"
    data_dir = Path(os.environ.get("TMPDIR", "/tmp")) / name
    data_dir.mkdir(parents=True, exist_ok=True)
    env = _env(database_url, data_dir, redis_url)
    ctx = mp.get_context("spawn")
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "settings": {"seconds": args.seconds, "users": args.users, "merchants": args.merchants,
                     "subscribers": args.subscribers, "processes": args.processes, "clients": args.clients,
                     "fault_interval": args.fault_interval, "faults": not args.no_faults},
    }
    ensure_redis(redis_port)
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    started = time.monotonic()
    worker = JobWorker(env, data_dir / "worker.log")
    injector: FaultInjector | None = None
    try:
        print(f"bank test: database {name}, {args.users} users, {args.merchants} merchants", flush=True)
        parties, merchant_nos = asyncio.run(_prepare(env, args.users, args.merchants))
        from bench.seed import PIN

        with ApiServer(env, workers=2, log_path=data_dir / "api.log") as api, \
                ApiServer(env, workers=1, log_path=data_dir / "listener.log") as listener:
            worker.start()
            # Subscribers connect before any money moves, so every run transaction is theirs to see.
            parent, child = ctx.Pipe()
            watched = parties[: args.subscribers]
            subs = ctx.Process(target=subscriber_process,
                               args=(f"ws://127.0.0.1:{listener.port}/graphql",
                                     [(p.user_id, p.token) for p in watched], child), daemon=True)
            subs.start()
            if not parent.poll(120) or parent.recv() != "ready":
                raise RuntimeError("subscribers did not connect")
            time.sleep(2.0)  # the listener registers its Redis subscriptions
            before = asyncio.run(checks.snapshot(database_url))

            print(f"load for {args.seconds:.0f} s with faults every {args.fault_interval} s ...", flush=True)
            settle = 90.0
            start_at = time.time() + 1.0
            pipes, procs = [], []
            for i in range(args.processes):
                plan = Plan(host="127.0.0.1", port=api.port, parties=parties, merchant_nos=merchant_nos, pin=PIN,
                            seconds=args.seconds, settle_seconds=settle, clients=args.clients, seed=1000 + i)
                recv_end, send_end = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=load_process, args=(plan, start_at, send_end), daemon=True)
                proc.start()
                pipes.append(recv_end)
                procs.append(proc)
            if not args.no_faults:
                injector = FaultInjector(admin_url=PG_SERVER, database=name, redis_port=redis_port, server=api,
                                         interval=args.fault_interval)
                time.sleep(max(0.0, start_at - time.time()))
                injector.start()
            load_end = time.monotonic() + args.seconds + 1.0
            while time.monotonic() < load_end:
                time.sleep(1.0)
                worker.ensure_running()
            if injector is not None:
                injector.stop()
            ensure_redis(redis_port)
            wait_for(lambda: len(api.worker_pids()) == 2 and api.healthy(), timeout=30)
            print("load over; resolving unknown calls ...", flush=True)
            calls: list[dict[str, Any]] = []
            stats: Counter[str] = Counter()
            for pipe, proc in zip(pipes, procs, strict=True):
                if not pipe.poll(args.seconds + settle + 120):
                    raise RuntimeError("a load process did not report")
                proc_calls, proc_stats = pipe.recv()
                calls.extend(proc_calls)
                stats.update(proc_stats)
                proc.join(30)
            worker.ensure_running()
            print("resolving stuck card movements: " + rails.run_recovery(env), flush=True)
            pending_events = _wait_outbox_drained(database_url, timeout=60)
            time.sleep(3.0)  # in-flight websocket frames
            parent.send("stop")
            listeners = parent.recv() if parent.poll(60) else []
            subs.join(30)
            worker.stop()
            report["fenpay_worker_restarts"] = worker.restarts
            report["api_workers_at_end"] = len(api.worker_pids())

        results, figures = asyncio.run(checks.run_checks(database_url, before, calls, listeners))
        rail_results, rail_figures = asyncio.run(rails.check_rails(database_url, before.max_transaction_id, calls))
        results.extend(rail_results)
        figures.update(rail_figures)
        clean, summary = reconcile(env)
        results.append(checks.Check("fenpay reconcile clean", clean, summary))
        figures["outbox_unpublished_at_end"] = pending_events
        fault_log = injector.log if injector is not None else None
        report["operations"] = _operation_figures(calls, stats)
        report["operations"]["ok_per_second"] = round(report["operations"]["ok"] / args.seconds, 1)
        report["faults"] = {
            "counts": fault_log.counts if fault_log else {k: 0 for k in KINDS},
            "problems": fault_log.problems if fault_log else [],
            "server_restarts": fault_log.server_restarts if fault_log else 0,
            "pg_backends_ended": sum(e.get("backends", 0) for e in fault_log.events) if fault_log else 0,
            "workers_replaced_by_uvicorn": sum(1 for e in fault_log.events if e.get("replaced_by_uvicorn"))
            if fault_log else 0,
        }
        report["figures"] = figures
        report["checks"] = [{"name": c.name, "ok": c.ok, "detail": c.detail, "examples": c.examples}
                            for c in results]
        report["passed"] = all(c.ok for c in results)
        report["wall_seconds"] = round(time.monotonic() - started, 1)
    finally:
        if injector is not None and injector.is_alive():
            injector.stop()
        worker.stop()
        stop_redis(redis_port)
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if os.environ.get("FENPAY_BANKTEST_KEEP_LOGS") is None:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            print(f"logs kept in {data_dir}")
    _print(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    return 0 if report["passed"] else 1


def _operation_figures(calls: list[dict[str, Any]], stats: Counter[str]) -> dict[str, Any]:
    final = Counter(c["outcome"] for c in calls)
    failures = Counter(c["error_code"] for c in calls if c["outcome"] == "failed")
    unknown_reasons = Counter(
        a.split(":", 1)[1] if ":" in a else a for c in calls for a in c["attempts"] if a.startswith("unknown")
    )
    return {
        "calls": len(calls),
        "transfers": sum(1 for c in calls if c["kind"] == "transfer"),
        "payments": sum(1 for c in calls if c["kind"] == "pay"),
        "attempts": sum(len(c["attempts"]) for c in calls),
        "ok": final["ok"],
        "failed": final["failed"],
        "unresolved": final["unknown"],
        "ever_unknown": sum(1 for c in calls if any(a.startswith("unknown") for a in c["attempts"])),
        "unknown_attempts_by_reason": dict(unknown_reasons.most_common(12)),
        "failed_by_code": dict(failures),
    }


def _print(report: dict[str, Any]) -> None:
    ops = report.get("operations", {})
    faults = report.get("faults", {})
    figures = report.get("figures", {})
    print()
    print("== bank test summary ==")
    print(f"operations: {ops.get('calls', 0)} calls ({ops.get('transfers', 0)} transfers, "
          f"{ops.get('payments', 0)} payments), {ops.get('attempts', 0)} attempts, "
          f"{ops.get('ok_per_second', 0)} ok per second")
    print(f"  ok {ops.get('ok', 0)}, failed {ops.get('failed', 0)} {ops.get('failed_by_code', {})}, "
          f"unknown at some point {ops.get('ever_unknown', 0)}, unresolved {ops.get('unresolved', 0)}")
    print(f"  unknown attempts by reason: {ops.get('unknown_attempts_by_reason', {})}")
    counts = faults.get("counts", {})
    print("faults: " + ", ".join(f"{k} x{v}" for k, v in counts.items())
          + f"; pg backends ended {faults.get('pg_backends_ended', 0)}; workers replaced by uvicorn "
          f"{faults.get('workers_replaced_by_uvicorn', 0)}; server restarts {faults.get('server_restarts', 0)}")
    for problem in faults.get("problems", [])[:5]:
        print(f"  fault problem: {problem}")
    print(f"money: total before {figures.get('grand_total_before')} after {figures.get('grand_total_after')}; "
          f"lost or duplicated {figures.get('lost_or_duplicated_money_fen')} fen")
    print(f"card calls: {figures.get('card_calls_ok')} by card {figures.get('card_calls_by_suffix')}; "
          f"PROCESSING after recovery {figures.get('processing_after_recovery')}; bank charged "
          f"{figures.get('bank_charged_fen')} fen, card movements succeeded "
          f"{figures.get('card_movements_succeeded_fen')} fen")
    print(f"events: expected {figures.get('events_expected')}, received {figures.get('events_received')}, "
          f"lost {figures.get('events_lost')}, repeats marked by eventId {figures.get('events_marked_repeats')}, "
          f"unmarked duplicates {figures.get('events_duplicated_unmarked')}")
    for check in report.get("checks", []):
        mark = "PASS" if check["ok"] else "FAIL"
        print(f"  [{mark}] {check['name']}: {check['detail']}")
        if not check["ok"]:
            for example in check["examples"][:3]:
                print(f"         e.g. {example}")
    print(f"result: {'PASSED' if report.get('passed') else 'FAILED'} in {report.get('wall_seconds')} s")


if __name__ == "__main__":
    sys.exit(main())
