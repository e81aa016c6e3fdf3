"""``fenpay serve`` itself in a subprocess (the command operators run, with its logging),
on a free port, several workers on PostgreSQL + Redis, one on SQLite / in-process broker."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.harness.server import free_port


def default_workers(env: dict[str, str]) -> int:
    """2 where limits and events are shared across processes (PostgreSQL + Redis), else 1."""
    shared = env.get("FENPAY_DATABASE_URL", "").startswith("postgres") and bool(env.get("FENPAY_REDIS_URL"))
    return 2 if shared else 1


@dataclass
class Served:
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def fenpay_serve(
    env: dict[str, str], *, workers: int | None = None, extra_env: dict[str, str] | None = None
) -> Iterator[Served]:
    port = free_port()
    handle, name = tempfile.mkstemp(prefix="fenpay-serve-", suffix=".log")
    log = os.fdopen(handle, "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers or default_workers(env)), "--log-level", "info"],
        env={**os.environ, **env, **(extra_env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    served = Served(port=port, process=process, log_path=Path(name))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{served.http_url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("fenpay serve did not start:\n" + served.output()[-4000:])
            time.sleep(0.1)  # start-up poll of an external process, not a wait for a job
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
