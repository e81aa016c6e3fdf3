"""The `fenpay` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import db, runtime
from .identity.roles import STAFF_ROLES
from .ops import log_redaction
from .ops.progress import progress
from .settings import ConfigurationError, Settings, check_production_serving, load_settings


def _fail(message: str) -> int:
    print(f"fenpay: {message}", file=sys.stderr)
    return 2


def _run(coro_factory: Callable[[], Coroutine[Any, Any, int]]) -> int:
    try:
        return asyncio.run(coro_factory())
    except ConfigurationError as exc:
        return _fail(str(exc))


async def _with_runtime(body: Callable[[], Awaitable[int]], *, migrate: bool = False) -> int:
    await runtime.start(load_settings(), migrate=migrate)
    try:
        return await body()
    finally:
        await runtime.stop()


def _metrics_folder(settings_data_dir: Path, port: int) -> Path:
    """A fresh folder for the workers' metric samples (prometheus-client multi-process mode)."""
    import shutil
    import tempfile

    base = settings_data_dir if settings_data_dir.is_dir() else Path(tempfile.gettempdir())
    folder = base / f"metrics-{port}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700, parents=True)
    return folder


def served_url(host: str, port: int) -> str:
    """The base URL of a server bound to ``host``:``port`` (a wildcard address is reached on loopback)."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def uvicorn_options(settings: Settings, *, workers: int, log_level: str) -> dict[str, Any]:
    """The uvicorn options of ``fenpay serve`` (all but host and port): ``uvicorn.run(**...)``
    or ``uvicorn.Config(**...)`` (bench.subscriber_probe serves with the same ones in-process)."""
    from .ops.log_format import uvicorn_log_config

    return {
        "app": "app.http.asgi:app_factory",
        "factory": True,
        "workers": workers,
        "log_level": log_level,
        "proxy_headers": False,
        # Header and body read deadlines (app/http/read_timeouts.py); uvicorn has none.
        "http": "app.http.read_timeouts:TimedHttpToolsProtocol",
        # uvloop (from uvicorn[standard]) named, so a missing one fails loudly instead of
        # silently falling back to the slower asyncio loop.
        "loop": "uvloop",
        # Compression state costs ~45 KiB per websocket (zlib windows), about half of what an
        # idle subscriber holds; fenpay's messages are small JSON events, so it is off.
        "ws_per_message_deflate": False,
        # uvicorn's websockets sans-I/O protocol with less state per open socket (subscribers).
        "ws": "app.http.ws_server:LeanWebSocketProtocol",
        **({"log_config": log_config} if (log_config := uvicorn_log_config(settings.log_format)) else {}),
    }


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    # Links the server hands out (third-party checkout) point at where it really listens,
    # unless FENPAY_PUBLIC_URL says otherwise; the worker processes inherit the variable.
    os.environ.setdefault("FENPAY_PUBLIC_URL", served_url(args.host, args.port))

    settings = load_settings()
    check_production_serving(settings, args.workers)
    if settings.metrics and args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Set before any worker imports prometheus-client: each worker then writes its samples there.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_metrics_folder(settings.data_dir, args.port))
    if settings.sandbox:
        async def _migrate() -> int:
            applied = await db.migrate(settings)
            await db.close_db()
            if applied:
                print(f"applied migrations: {', '.join(applied)}")
            return 0

        code = _run(_migrate)
        if code:
            return code
    else:
        # Refuse early, with one line, if the database is unreachable.
        async def _check() -> int:
            await db.init_db(settings)
            await db.close_db()
            return 0

        code = _run(_check)
        if code:
            return code
    uvicorn.run(host=args.host, port=args.port, **uvicorn_options(settings, workers=args.workers, log_level=args.log_level))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    async def body() -> int:
        settings = load_settings()
        applied = await db.migrate(settings)
        await db.close_db()
        print(f"applied: {', '.join(applied)}" if applied else "database is up to date")
        # Reference data (system accounts, FAQ) is written here, once; workers starting
        # later only insert what is still absent and never collide.
        from . import bootstrap

        await db.init_db(settings)
        try:
            await bootstrap.ensure_reference_data()
        finally:
            await db.close_db()
        return 0

    return _run(body)


def cmd_create_staff(args: argparse.Namespace) -> int:
    from .identity.staff import create_or_promote

    async def body() -> int:
        user, created = await create_or_promote(args.phone, args.password, args.role)
        print(f"{'created' if created else 'promoted'} user {user.id} with role {args.role}")
        return 0

    return _run(lambda: _with_runtime(body, migrate=True))


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from . import demo

    async def body() -> int:
        for line in await demo.seed():
            print(line)
        return 0

    return _run(lambda: _with_runtime(body, migrate=True))


def _parse_instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 instant: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def cmd_jobs_run(args: argparse.Namespace) -> int:
    from .jobs.registry import run_once

    async def body() -> int:
        now = args.now or datetime.now(UTC)
        for name, summary in await run_once(now):
            print(f"{name}: {summary}")
        return 0

    return _run(lambda: _with_runtime(body, migrate=True))


def cmd_worker(args: argparse.Namespace) -> int:
    from .jobs.registry import run_forever

    async def body() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_forever(stop)
        return 0

    return _run(lambda: _with_runtime(body))


def cmd_reconcile(args: argparse.Namespace) -> int:
    from .risk.reconciliation import reconcile_and_alert

    async def body() -> int:
        if args.now is not None:
            from . import clock

            clock.set_now(args.now)
        with progress("checking the ledger invariants"):
            report, alert = await reconcile_and_alert()
        for line in report.lines():
            print(line)
        if alert is not None:
            print(f"raised CRITICAL alert {alert.id} ({alert.type})")
        return 0 if report.clean else 1

    return _run(lambda: _with_runtime(body))


def _calendar_year(text: str) -> int:
    year = _positive_int(text)
    if not 1901 <= year <= 2999:
        raise argparse.ArgumentTypeError(f"must be a year between 1901 and 2999, got {text!r}")
    return year


def cmd_calendar(args: argparse.Namespace) -> int:
    from .workdays.makeup_file import MakeupFileError
    from .workdays.report import describe_year

    try:
        for line in describe_year(args.year):
            print(line)
    except MakeupFileError as exc:
        return _fail(str(exc))
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return value


def cmd_backup(args: argparse.Namespace) -> int:
    from .ops.backup import BackupError, backup

    try:
        with progress(f"writing a backup to {args.path}"):
            result = backup(load_settings(), args.path)
        print(result)
    except BackupError as exc:
        return _fail(str(exc))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from .ops.backup import BackupError, restore

    async def body() -> int:
        try:
            with progress(f"restoring {args.path}"):
                result = await restore(load_settings(), args.path)
            print(result)
        except BackupError as exc:
            return _fail(str(exc))
        return 0

    return _run(body)


def cmd_rotate_key(args: argparse.Namespace) -> int:
    import os

    from .ops.key_rotation import RotationReport, remaining, rotate
    from .settings import _decode_key

    async def body() -> int:
        raw = args.new_key or os.environ.get("FENPAY_NEW_ENCRYPTION_KEY")
        new_key = _decode_key("--new-key", raw) if raw else runtime.settings().encryption_key
        to_rewrite = await remaining(new_key)
        with progress("re-encrypting", total=to_rewrite) as advance:
            done = 0

            def on_batch(running: RotationReport) -> None:
                nonlocal done
                now_done = sum(running.rewritten.values()) + sum(running.unreadable.values())
                advance(now_done - done)
                done = now_done

            report = await rotate(new_key, batch_size=args.batch_size, on_batch=on_batch)
        for line in report.lines():
            print(line)
        left = await remaining(new_key)
        print(f"{left} left under other keys")
        return 0 if report.ok and left == 0 else 1

    return _run(lambda: _with_runtime(body))


def cmd_doctor(args: argparse.Namespace) -> int:
    from .ops import doctor

    try:
        settings = load_settings()
    except ConfigurationError as exc:
        print(f"FAIL configuration: {exc}")
        print("     fix: set the variable as README \"Configuration\" describes")
        return 1

    async def body() -> int:
        try:
            findings = await doctor.run(settings)
        finally:
            await db.close_db()
        for finding in findings:
            for line in finding.lines():
                print(line)
        failed = sum(f.status == doctor.FAIL for f in findings)
        print(f"{failed} problem(s)" if failed else "all checks passed")
        return 1 if failed else 0

    return _run(body)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fenpay", description="fenpay wallet platform")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the API server (sandbox mode migrates first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)

    staff = sub.add_parser("create-staff", help="create or promote a staff user")
    staff.add_argument("--phone", required=True)
    staff.add_argument("--password", required=True)
    staff.add_argument("--role", required=True, choices=sorted(STAFF_ROLES))
    staff.set_defaults(func=cmd_create_staff)

    sub.add_parser("seed-demo", help="add demo merchants, products and FAQ (idempotent)").set_defaults(
        func=cmd_seed_demo
    )

    jobs = sub.add_parser("jobs", help="scheduled jobs")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    run = jobs_sub.add_parser("run", help="run every job that is due at an instant, once")
    run.add_argument("--now", type=_parse_instant, default=None, help="ISO-8601 instant (default: now)")
    run.set_defaults(func=cmd_jobs_run)

    sub.add_parser("worker", help="run the jobs on their schedule until stopped").set_defaults(func=cmd_worker)
    calendar = sub.add_parser("calendar", help="print the working days fenpay believes YEAR has")
    calendar.add_argument("year", type=_calendar_year, metavar="YEAR")
    calendar.set_defaults(func=cmd_calendar)
    reconcile = sub.add_parser("reconcile", help="check the ledger invariants")
    reconcile.add_argument("--now", type=_parse_instant, default=None, help="ISO-8601 instant (default: now)")
    reconcile.set_defaults(func=cmd_reconcile)
    sub.add_parser(
        "doctor", help="check configuration, database, migrations, Redis, message channels and the calendar"
    ).set_defaults(func=cmd_doctor)

    backup = sub.add_parser("backup", help="write a consistent backup of the database to PATH")
    backup.add_argument("path", type=Path, metavar="PATH")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="restore a backup from PATH into the (empty) configured database")
    restore.add_argument("path", type=Path, metavar="PATH")
    restore.set_defaults(func=cmd_restore)
    rotate = sub.add_parser(
        "rotate-key",
        help="re-encrypt every encrypted field under a new key, in batches (see app/ops/key_rotation.py)",
    )
    rotate.add_argument(
        "--new-key",
        default=None,
        help="target key, 32 bytes url-safe base64 (default: FENPAY_NEW_ENCRYPTION_KEY, else FENPAY_ENCRYPTION_KEY)",
    )
    rotate.add_argument("--batch-size", type=_positive_int, default=500)
    rotate.set_defaults(func=cmd_rotate_key)
    return parser


def main(argv: list[str] | None = None) -> int:
    import os

    from .ops.log_format import configure_root

    configure_root("json" if os.environ.get("FENPAY_LOG_FORMAT") == "json" else "text")
    logging.getLogger("tortoise").setLevel(logging.WARNING)
    logging.getLogger("aerich").setLevel(logging.WARNING)
    parser = build_parser()
    log_redaction.install()  # no secrets in any handler, whatever the command logs
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigurationError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
