"""The fenpay processes of a bank test: the API server (several uvicorn workers), a
single-worker server for the websocket subscribers, and `fenpay worker` for the jobs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.run import ROOT, Server


class ApiServer(Server):
    """``fenpay serve --workers N``; knows its uvicorn worker processes."""

    def worker_pids(self) -> list[int]:
        """The uvicorn workers (spawned children), not multiprocessing's resource tracker."""
        assert self.process is not None
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        pids = []
        for pid in (int(p) for p in out.split()):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in cmdline:
                pids.append(pid)
        return sorted(pids)

    def healthy(self, timeout: float = 2.0) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=timeout).status_code == 200
        except httpx.HTTPError:
            return False

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def restart(self) -> None:
        self.__exit__(None, None, None)
        self.__enter__()


class JobWorker:
    """``fenpay worker``: runs the scheduled jobs (the outbox sweeper among them)."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.restarts = 0

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the child process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker"], env={**os.environ, **self.env}, cwd=ROOT,
            stdout=log, stderr=subprocess.STDOUT,
        )

    def ensure_running(self) -> bool:
        """Restart the worker if it died; returns False when it had to be restarted."""
        if self.process is not None and self.process.poll() is None:
            return True
        self.restarts += 1
        self.start()
        return False

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def wait_for(predicate, timeout: float, interval: float = 0.1) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
