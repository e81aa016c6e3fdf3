"""The shipped server as a user runs it: ``fenpay serve`` (the console script) in a subprocess.

Configured the README's way (sandbox mode: sandbox bank, SMS outbox, generated secrets,
real logging at the default level); only the data directory, the port and, on the
PostgreSQL + Redis backend, the database and Redis URLs (plus a Redis key prefix of its
own, so parallel runs do not share keys) differ. Metrics are set up as README "Operations"
says for production: ``/metrics`` behind a token, and one ``PROMETHEUS_MULTIPROC_DIR``
shared by the server and the ``fenpay jobs run`` it is given, so job runs count in its scrape.
Its whole output goes to a log file that the suite reads for tracebacks and logging errors.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx

# Lines that must never appear in the server's output (a crash, or a handler that failed).
FORBIDDEN_OUTPUT = ("Traceback", "Logging error")


def forbidden_excerpt(output: str) -> str | None:
    """The first forbidden line of ``output`` with the lines around it, or None when clean."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if any(marker in line for marker in FORBIDDEN_OUTPUT):
            return "\n".join(lines[max(0, index - 3): index + 40])
    return None


def fenpay_command() -> list[str]:
    """The ``fenpay`` console script of this virtualenv (``python -m app.cli`` as a fallback)."""
    script = Path(sys.executable).with_name("fenpay")
    return [str(script)] if script.exists() else [sys.executable, "-m", "app.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_environment() -> dict[str, str]:
    """The caller's environment without any FENPAY_* setting (other tests may have set some)."""
    return {key: value for key, value in os.environ.items() if not key.startswith("FENPAY_")}


@dataclass
class ServedFenpay:
    """A running ``fenpay serve``: where it listens, its environment and its output so far."""

    port: int
    env: dict[str, str]
    log_path: Path
    workers: int
    backend: str
    metrics_token: str = ""
    process: subprocess.Popen | None = None
    checked_up_to: int = field(default=0)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def new_output(self) -> str:
        """Output written since the previous call."""
        text = self.output()
        fresh, self.checked_up_to = text[self.checked_up_to:], len(text)
        return fresh

    def run(self, *args: str, timeout: float = 120) -> str:
        """Run ``fenpay ARGS`` with the server's environment; its stdout (failing on a non-zero exit)."""
        done = subprocess.run(
            [*fenpay_command(), *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"fenpay {' '.join(args)} exited {done.returncode}:\n{output}"
        excerpt = forbidden_excerpt(output)
        assert excerpt is None, f"fenpay {' '.join(args)} printed a traceback or logging error:\n{excerpt}"
        return done.stdout

    def run_jobs(self, now: datetime) -> str:
        """``fenpay jobs run --now NOW``: every job due at that instant, once."""
        return self.run("jobs", "run", "--now", now.isoformat())


def start(data_dir: Path, *, database_url: str | None, redis_url: str | None) -> ServedFenpay:
    env = clean_environment()
    env["FENPAY_DATA_DIR"] = str(data_dir)
    metrics_dir = data_dir / "metrics"
    metrics_dir.mkdir()
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    env["FENPAY_METRICS_TOKEN"] = f"e2e-scrape-{secrets.token_hex(8)}"
    workers = 1
    backend = "sqlite"
    if database_url:
        env["FENPAY_DATABASE_URL"] = database_url
        backend = "postgres"
    if redis_url:
        env["FENPAY_REDIS_URL"] = redis_url
        env["FENPAY_REDIS_PREFIX"] = f"fenpay-e2e-{secrets.token_hex(4)}:"
        backend += "+redis"
        # several processes need the shared broker: with Redis the server runs as in production
        workers = 2
    port = free_port()
    served = ServedFenpay(port=port, env=env, log_path=data_dir / "server.log", workers=workers, backend=backend,
                          metrics_token=env["FENPAY_METRICS_TOKEN"])
    log = served.log_path.open("w", encoding="utf-8")
    served.process = subprocess.Popen(
        [*fenpay_command(), "serve", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=data_dir,
    )
    log.close()
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{served.url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if served.process.poll() is not None or time.monotonic() > deadline:
            stop(served)
            raise RuntimeError(f"fenpay serve did not start:\n{served.output()}")
        time.sleep(0.2)  # start-up poll of an external process, not a wait for a job
    if workers > 1:
        _wait_for_workers(served, workers, deadline)
    return served


def _wait_for_workers(served: ServedFenpay, workers: int, deadline: float) -> None:
    """Until every worker process logged that its application started (uvicorn's own line)."""
    while served.output().count("Application startup complete") < workers:
        if served.process is None or served.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"fenpay serve workers did not start:\n{served.output()}")
        time.sleep(0.2)


def stop(served: ServedFenpay) -> None:
    process = served.process
    if process is None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def new_data_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="fenpay-e2e-"))


def remove_data_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
