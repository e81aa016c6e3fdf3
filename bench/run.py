"""Run every benchmark scenario against a fenpay this script starts on PostgreSQL + Redis.

    python -m bench.run            # full run (several minutes)
    python -m bench.run --quick    # under two minutes

Creates its own database (dropped afterwards), seeds it directly, drives load from
separate processes, measures pgbench and PostGraphile on the same server in the same
run, prints a table and issue 24's goals with met / not met (bench/goals.py) and writes both
to bench/results/latest.json and latest.md. Ends with `fenpay reconcile`.
fenpay runs in production configuration, metrics on (as deployed); the pay scenario runs
once more with ``FENPAY_METRICS=off`` and the table gives the ratio on ÷ off (their cost).
On a terminal, rich progress bars follow the seeding and the scenarios (on stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing as mp
import os
import platform
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from app.ops.progress import progress

from . import goals, load, references, scenarios
from .subscribers import rss_kib, run_subscribers

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PG_SERVER = os.environ.get("FENPAY_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("FENPAY_BENCH_REDIS", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(database_url: str, data_dir: Path) -> dict[str, str]:
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    return {
        "FENPAY_MODE": "production",
        "FENPAY_DATA_DIR": str(data_dir),
        "FENPAY_DATABASE_URL": database_url,
        "FENPAY_REDIS_URL": REDIS,
        "FENPAY_REDIS_PREFIX": f"bench-{secrets.token_hex(3)}:",
        "FENPAY_JWT_SECRET": secrets.token_urlsafe(32),
        "FENPAY_PAYMENT_PEPPER": secrets.token_urlsafe(32),
        "FENPAY_ENCRYPTION_KEY": key,
        "FENPAY_WEBHOOK_SECRET": secrets.token_urlsafe(32),
        "FENPAY_ACCESS_TOKEN_TTL": "7200",
        "FENPAY_DB_POOL_MAX": os.environ.get("FENPAY_BENCH_POOL", "16"),
        # Production needs message channels; the bench runs no delivery job, so balance SMS
        # only queue in the outbox (as they would while a provider is slow).
        "FENPAY_SMS_PROVIDER": "gateway",
        "FENPAY_SMS_GATEWAY_URL": "http://127.0.0.1:9/sms",
        "FENPAY_SMS_GATEWAY_SECRET": secrets.token_urlsafe(32),
        "FENPAY_SMTP_HOST": "127.0.0.1",
        "FENPAY_SMTP_PORT": "9",
        # Production serves /metrics only with a token: metrics on, as an operator runs it.
        "FENPAY_METRICS_TOKEN": secrets.token_urlsafe(24),
    }


class Server:
    def __init__(self, env: dict[str, str], workers: int, log_path: Path | None = None) -> None:
        self.env, self.workers, self.port = env, workers, free_port()
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        log = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115 - owned by the child
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port), "--workers", str(self.workers),
             "--log-level", "warning"],
            env={**os.environ, **self.env}, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT if log else None,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1).status_code == 200:
                    time.sleep(1.0 if self.workers > 1 else 0)  # let every worker finish starting
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("fenpay did not start")

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        children = [int(p) for p in out.split()]
        return children or [self.process.pid]

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


async def admin(statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_SERVER.replace("postgres://", "postgresql://"))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def row(name: str, result: load.Result, **extra: Any) -> dict[str, Any]:
    return {
        "scenario": name,
        "throughput": round(result.throughput, 1),
        "ok": result.ok,
        "errors": result.errors,
        "p50_ms": round(result.percentile(50), 2),
        "p95_ms": round(result.percentile(95), 2),
        "p99_ms": round(result.percentile(99), 2),
        **extra,
    }


async def prepare(env: dict[str, str], sizes: dict[str, int]):  # noqa: ANN201
    """Migrate and seed (in this process, with fenpay's own code) and mint tokens."""
    os.environ.update(env)
    from app import db, runtime
    from app.identity.tokens import issue_access_token
    from app.settings import load_settings

    from .seed import PIN, seed, seed_steps

    settings = load_settings()
    await db.migrate(settings)
    await runtime.start(settings)
    try:
        with progress("seeding", total=seed_steps(sizes["users"], 100)) as advance:
            async with db.atomic() as conn:
                seeded = await seed(
                    conn, users=sizes["users"], merchants=100, balance_fen=10_000_000,
                    history_rows=sizes["history"], history_user_rows=sizes["history_user"], advance=advance,
                )
        from tortoise import connections

        await connections.get("default").execute_script("ANALYZE")
        tokens = [issue_access_token(uid)[0] for uid in seeded.user_ids]
        history_token = issue_access_token(seeded.history_user_id)[0]
    finally:
        await runtime.stop()
    return seeded, tokens, history_token, PIN


def subscriber_scenario(env: dict[str, str], pay_port: int, tokens: list[str], merchant_nos: list[str], pin: str,
                        *, rate: float, seconds: int) -> dict[str, Any]:
    """``len(tokens)`` balanceChanged subscribers on a one-worker fenpay while payments run at
    ``rate`` through the main server: delivery, commit-to-client latency, memory per subscriber."""
    with Server(env, workers=1) as listener:
        count = len(tokens)
        before = rss_kib(listener.worker_pids()[0])
        parent, child = mp.get_context("fork").Pipe()
        proc = mp.get_context("fork").Process(
            target=run_subscribers, args=(f"ws://127.0.0.1:{listener.port}/graphql", tokens, child, 0)
        )
        proc.start()
        assert parent.recv() == "ready"
        after = rss_kib(listener.worker_pids()[0])
        driven = load.run("127.0.0.1", pay_port, make=scenarios.FenpayPay(tokens, merchant_nos, pin),
                          check=scenarios.check_pay, seconds=seconds, rate=rate)
        parent.send("stop")
        received = parent.recv()
        proc.join(30)
    latencies = sorted(lat for _, lat in received)
    delivered = len({no for no, _ in received})
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000 if latencies else 0.0
    return {
        "scenario": f"{count} {goals.SUBSCRIBERS_MARK}, payments offered at {rate:.0f}/s",
        "throughput": round(driven.throughput, 1),
        "ok": driven.ok,
        "errors": driven.errors,
        "delivered": delivered,
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2) if latencies else 0.0,
        "p99_ms": round(p99, 2),
        "kib_per_idle_subscriber": round((after - before) / count, 1),
    }


def webhook_scenario(seconds: int) -> dict[str, Any]:
    """Issue 24's merchant scenario on its own database and sandbox server (the receiver is
    local): orders at half of the order -> pay peak, each ORDER_PAID webhook awaited."""
    from . import webhooks  # it builds on this module's Server and database helpers

    figures = asyncio.run(webhooks.half_peak(seconds))
    return {
        "scenario": f"{goals.WEBHOOKS_HALF_PEAK_PREFIX} ({figures['offered_per_second']:.0f}/s offered, "
                    f"peak {figures['peak_orders_per_second']:.0f}/s), order -> pay -> webhook",
        "throughput": figures["paid_per_second"],
        "ok": figures["paid"],
        "errors": {"order or payment refused": figures["failures"]} if figures["failures"] else {},
        "delivered": figures["delivered"],
        "p50_ms": figures["latency_p50_ms"],
        "p99_ms": figures["latency_p99_ms"],
        "delivery_p99_ms": figures["latency_p99_ms"],
        "duplicates": figures["duplicates"],
    }


def reconcile(env: dict[str, str]) -> tuple[bool, str]:
    out = subprocess.run([sys.executable, "-m", "app.cli", "reconcile"], env={**os.environ, **env}, cwd=ROOT,
                         capture_output=True, text=True)
    return out.returncode == 0, out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr.strip()


def markdown_table(report: dict[str, Any]) -> str:
    """The README's table of a run."""
    pgbench_tps = report.get("pgbench", {}).get("tps") or 0
    lines = ["| scenario | per s | × pgbench | p50 ms | p99 ms | notes |", "|---|---:|---:|---:|---:|---|"]
    for r in report["rows"]:
        ratio = f"{r['throughput'] / pgbench_tps:.2f}" if pgbench_tps else ""
        notes = []
        if "kib_per_idle_subscriber" in r:
            notes.append(f"{r['delivered']:,} of {r['ok']:,} payments' events delivered; "
                         f"{r['kib_per_idle_subscriber']} KiB per idle subscriber")
        elif "delivery_p99_ms" in r:
            notes.append(f"{r['delivered']:,} of {r['ok']:,} paid orders' webhooks delivered within 10 s, "
                         f"{r['duplicates']} duplicates; latencies: payment answered -> webhook received")
        if r.get("errors"):
            notes.append("errors: " + ", ".join(f"{k} {v}" for k, v in r["errors"].items()))
        elif "ok" in r:
            notes.append("0 errors")
        cells = [r["scenario"], f"{r['throughput']:,.0f}", ratio, f"{r.get('p50_ms', '')}", f"{r.get('p99_ms', '')}",
                 "; ".join(notes)]
        lines.append("| " + " | ".join(cells) + " |")
    if report.get("metrics_on_off_ratio") is not None:
        lines.append(f"| fenpay pay, metrics on ÷ metrics off | {report['metrics_on_off_ratio']:.3f} | | | | |")
    lines.append(f"| `fenpay reconcile` after all scenarios | | | | | {report['reconcile']['summary']} |")
    return "\n".join(lines) + "\n"


PAY_SPREAD = goals.PAY_SPREAD
PAY_SPREAD_METRICS_OFF = "fenpay pay, 100 merchants, metrics off"


def scenario_count(*, postgraphile: bool) -> int:
    """Steps of the scenarios' progress bar: pgbench, PostGraphile (2), fenpay pay (3), pay with
    metrics off, transactions (2), subscribers (2), merchant webhooks."""
    return 1 + (2 if postgraphile else 0) + 3 + 1 + 2 + 2 + 1


def metrics_ratio(rows: list[dict[str, Any]]) -> float | None:
    """Pay throughput with metrics on ÷ with metrics off (same scenario, same run)."""
    by_name = {r["scenario"]: r["throughput"] for r in rows}
    on, off = by_name.get(PAY_SPREAD), by_name.get(PAY_SPREAD_METRICS_OFF)
    return round(on / off, 3) if on and off else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--quick", action="store_true", help="small data and short runs (< 2 minutes)")
    parser.add_argument("--skip-postgraphile", action="store_true")
    args = parser.parse_args(argv)
    quick = args.quick
    seconds = 6 if quick else 20
    sizes = (
        {"users": 3000, "history": 100_000, "history_user": 10_000, "subscribers": 500}
        if quick
        else {"users": 6000, "history": 1_000_000, "history_user": 10_000, "subscribers": 2000}
    )
    name = f"fenpay_bench_{secrets.token_hex(3)}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    database_url = PG_SERVER.rsplit("/", 1)[0] + f"/{name}"
    data_dir = Path(os.environ.get("TMPDIR", "/tmp")) / name
    data_dir.mkdir(parents=True, exist_ok=True)
    env = bench_env(database_url, data_dir)
    rows: list[dict[str, Any]] = []
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "quick": quick,
        "sizes": sizes,
    }
    try:
        print(f"seeding {name} ...", flush=True)
        seeded, tokens, history_token, pin = asyncio.run(prepare(env, sizes))

        postgraphile = None if args.skip_postgraphile else references.ensure_postgraphile()
        with progress("scenarios", total=scenario_count(postgraphile=postgraphile is not None)) as advance:
            print("pgbench ...", flush=True)
            pg = references.pgbench(name, seconds)
            report["pgbench"] = pg
            rows.append({"scenario": "pgbench tpcb-like (8 clients)", "throughput": pg["tps"]})
            advance(1)

            if postgraphile is not None:
                print("PostGraphile ...", flush=True)
                import asyncpg

                async def _prep() -> None:
                    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://"))
                    await references.prepare_pay_function(conn, accounts=sizes["users"], merchants=100, balance=10**9)
                    await conn.close()

                asyncio.run(_prep())
                port = free_port()
                with references.PostGraphile(postgraphile, database_url.replace("postgres://", "postgresql://"), port):
                    merchants = list(range(sizes["users"] + 1, sizes["users"] + 101))
                    spread = load.run("127.0.0.1", port, make=scenarios.PostGraphilePay(sizes["users"], merchants),
                                      check=scenarios.check_postgraphile, seconds=seconds, clients=32)
                    rows.append(row("PostGraphile pay, 100 merchants", spread))
                    advance(1)
                    hot = load.run("127.0.0.1", port, make=scenarios.PostGraphilePay(sizes["users"], merchants[:1]),
                                   check=scenarios.check_postgraphile, seconds=seconds, clients=32)
                    rows.append(row("PostGraphile pay, 1 merchant", hot))
                    advance(1)
                report["postgraphile"] = {"spread": spread.throughput, "hot": hot.throughput}
            else:
                print("PostGraphile unavailable (npm install failed or skipped)", flush=True)

            # The pay scenario on a server with metrics off, right before the same scenario with
            # metrics on (production): the ratio on ÷ off is their cost.
            with Server({**env, "FENPAY_METRICS": "off"}, workers=2) as server:
                print("fenpay pay, metrics off ...", flush=True)
                unmetered = load.run("127.0.0.1", server.port,
                                     make=scenarios.FenpayPay(tokens, seeded.merchant_nos, pin),
                                     check=scenarios.check_pay, seconds=seconds, clients=32)
                rows.append(row(PAY_SPREAD_METRICS_OFF, unmetered))
                advance(1)

            with Server(env, workers=2) as server:
                print("fenpay pay ...", flush=True)
                spread = load.run("127.0.0.1", server.port,
                                  make=scenarios.FenpayPay(tokens, seeded.merchant_nos, pin),
                                  check=scenarios.check_pay, seconds=seconds, clients=32)
                rows.append(row(PAY_SPREAD, spread))
                advance(1)
                hot = load.run("127.0.0.1", server.port,
                               make=scenarios.FenpayPay(tokens, seeded.merchant_nos[:1], pin),
                               check=scenarios.check_pay, seconds=seconds, clients=32)
                rows.append(row(goals.PAY_ONE_MERCHANT, hot))
                advance(1)
                half = max(spread.throughput / 2, 1)
                paced = load.run("127.0.0.1", server.port,
                                 make=scenarios.FenpayPay(tokens, seeded.merchant_nos, pin),
                                 check=scenarios.check_pay, seconds=seconds, rate=half)
                rows.append(row(f"{goals.PAY_HALF_PEAK_PREFIX} ({half:.0f}/s, open loop)", paced))
                advance(1)
                print("fenpay transactions(first: 20) ...", flush=True)
                history = load.run("127.0.0.1", server.port, make=scenarios.FenpayTransactions(history_token),
                                   check=scenarios.check_transactions, seconds=seconds, clients=32)
                rows.append(row(f"{goals.TRANSACTIONS_PREFIX}, {sizes['history_user']} of {sizes['history']} rows", history))
                advance(1)
                statement_half = max(history.throughput / 2, 1)
                paced_history = load.run("127.0.0.1", server.port, make=scenarios.FenpayTransactions(history_token),
                                         check=scenarios.check_transactions, seconds=seconds, rate=statement_half)
                rows.append(row(f"{goals.STATEMENT_HALF_PEAK_PREFIX} ({statement_half:.0f}/s, open loop)", paced_history))
                advance(1)

                print("subscribers ...", flush=True)
                # At the goal's rate (500/s) and at half of the measured peak: above its peak the
                # server queues payments, and delivery latency then measures the queue.
                for rate in (500 if not quick else 250, round(half)):
                    rows.append(subscriber_scenario(env, server.port, tokens[:sizes["subscribers"]], seeded.merchant_nos,
                                                    pin, rate=rate, seconds=seconds))
                    advance(1)
            print("merchant orders -> webhooks ...", flush=True)
            rows.append(webhook_scenario(seconds))
            advance(1)
        ok, summary = reconcile(env)
        report["reconcile"] = {"clean": ok, "summary": summary}
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    report["rows"] = rows
    report["metrics_on_off_ratio"] = metrics_ratio(rows)
    report["goals"] = goals.evaluate(report)
    pgbench_tps = report.get("pgbench", {}).get("tps") or 0
    print()
    print(f"{'scenario':<62} {'per s':>8} {'x pgbench':>9} {'p50 ms':>8} {'p99 ms':>8}  errors")
    for r in rows:
        ratio = f"{r['throughput'] / pgbench_tps:.2f}" if pgbench_tps else "-"
        print(f"{r['scenario']:<62} {r['throughput']:>8} {ratio:>9} {r.get('p50_ms', ''):>8} {r.get('p99_ms', ''):>8}  {r.get('errors', '')}")
    if report["metrics_on_off_ratio"] is not None:
        print(f"{'fenpay pay, metrics on ÷ metrics off':<62} {report['metrics_on_off_ratio']:>8.3f}")
    print(f"reconcile: {report['reconcile']['summary']}")
    print()
    print("issue 24's goals:")
    print("\n".join(goals.text_lines(report["goals"])))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    (RESULTS / "latest.md").write_text(markdown_table(report) + "\n" + goals.markdown(report["goals"]))
    return 0 if report["reconcile"]["clean"] else 1


if __name__ == "__main__":
    sys.exit(main())
