"""The fault injector: loopback only, and only the bank test's own processes and database.

Three kinds, taken in turn at a fixed interval:
- ``pg_terminate``: end every PostgreSQL backend connected to the bench database;
- ``redis_restart``: shut the bank test's own Redis server down (no save) and start it again
  (a private server on a free port, so no other test run's Redis is ever touched);
- ``worker_kill``: SIGKILL one uvicorn worker of the API server while the other serves;
  uvicorn's supervisor must start a replacement (if it does not, the server is restarted
  and that is reported).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .servers import ApiServer, wait_for

KINDS = ("pg_terminate", "redis_restart", "worker_kill")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def redis_start_command(port: int) -> list[str]:
    """A private, memory-only Redis for the bank test on ``port`` (never a port a test suite uses)."""
    return ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(port),
            "--save", "", "--appendonly", "no", "--dir", "/tmp",
            "--logfile", f"/tmp/fenpay-banktest-redis-{port}.log"]


def free_port() -> int:
    """A TCP port nothing listens on now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_redis(port: int) -> None:
    """Shut the private Redis down (nothing is kept)."""
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), "shutdown", "nosave"], capture_output=True,
                   timeout=10, check=False)


def redis_up(port: int) -> bool:
    out = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), "ping"], capture_output=True, text=True,
                         timeout=5)
    return out.stdout.strip() == "PONG"


def ensure_redis(port: int) -> bool:
    """Start Redis if it is not answering; True when it answers afterwards."""
    if redis_up(port):
        return True
    subprocess.run(redis_start_command(port), check=False, capture_output=True, timeout=10)
    return wait_for(lambda: redis_up(port), timeout=10)


def require_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK:
        raise SystemExit(f"bank test refuses to inject faults into {host!r}: loopback only")


@dataclass
class FaultLog:
    counts: dict[str, int] = field(default_factory=lambda: {k: 0 for k in KINDS})
    events: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    server_restarts: int = 0


class FaultInjector(threading.Thread):
    def __init__(self, *, admin_url: str, database: str, redis_port: int, server: ApiServer,
                 interval: float, kinds: tuple[str, ...] = KINDS) -> None:
        super().__init__(name="fault-injector", daemon=True)
        require_loopback(admin_url)
        self.admin_url = admin_url.replace("postgres://", "postgresql://")
        self.database = database
        self.redis_port = redis_port
        self.server = server
        self.interval = interval
        self.kinds = kinds
        self.log = FaultLog()
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=60)

    def run(self) -> None:
        turn = 0
        while not self._stop_event.wait(self.interval):
            kind = self.kinds[turn % len(self.kinds)]
            turn += 1
            started = time.monotonic()
            try:
                detail = getattr(self, kind)()
                self.log.counts[kind] += 1
                seconds = round(time.monotonic() - started, 3)
                self.log.events.append({"kind": kind, "at": time.time(), "seconds": seconds, **detail})
            except Exception as exc:  # noqa: BLE001 - a fault that could not be injected is reported
                self.log.problems.append(f"{kind}: {type(exc).__name__}: {exc}")

    # -- the faults ---------------------------------------------------------------------------

    def pg_terminate(self) -> dict[str, Any]:
        async def terminate() -> int:
            import asyncpg

            conn = await asyncpg.connect(self.admin_url)
            try:
                rows = await conn.fetch(
                    "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity"
                    " WHERE datname = $1 AND pid <> pg_backend_pid()",
                    self.database,
                )
                return sum(1 for r in rows if r["ended"])
            finally:
                await conn.close()

        return {"backends": asyncio.run(terminate())}

    def redis_restart(self) -> dict[str, Any]:
        port = str(self.redis_port)
        subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", port, "shutdown", "nosave"], capture_output=True,
                       timeout=10)
        down = wait_for(lambda: not redis_up(self.redis_port), timeout=5, interval=0.05)
        subprocess.run(redis_start_command(self.redis_port), check=True, capture_output=True, timeout=10)
        if not wait_for(lambda: redis_up(self.redis_port), timeout=10, interval=0.05):
            raise RuntimeError("redis did not come back")
        return {"was_down": down}

    def worker_kill(self) -> dict[str, Any]:
        before = self.server.worker_pids()
        if len(before) < 2:
            # The previous replacement is still starting: let it finish first.
            wait_for(lambda: len(self.server.worker_pids()) >= 2, timeout=20)
            before = self.server.worker_pids()
        victim = before[self.log.counts["worker_kill"] % len(before)]
        os.kill(victim, signal.SIGKILL)
        replaced = wait_for(
            lambda: len(self.server.worker_pids()) >= len(before) and victim not in self.server.worker_pids(),
            timeout=20, interval=0.1,
        )
        if not replaced or not self.server.alive():
            self.log.problems.append(f"uvicorn did not replace worker {victim}; server restarted")
            self.log.server_restarts += 1
            self.server.restart()
        return {"victim": victim, "replaced_by_uvicorn": replaced}
