"""`fenpay serve` as shipped, in a subprocess on a free port, its output kept for inspection."""

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

from tests.support.server import free_port


@dataclass
class Served:
    port: int
    output_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.output_path.read_text(errors="replace")


@contextmanager
def fenpay_serve(env: dict[str, str], *, workers: int = 1) -> Iterator[Served]:
    port = free_port()
    output_path = Path(tempfile.mkstemp(prefix="fenpay-serve-", suffix=".log")[1])
    with open(output_path, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(workers)],
            env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT,
        )
        served = Served(port, output_path)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{served.url}/health/ready", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"fenpay serve did not start:\n{served.output()}")
                time.sleep(0.1)  # start-up poll of an external process, not a wait for a job
            yield served
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
