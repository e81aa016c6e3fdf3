"""A real uvicorn server in a subprocess, sharing the test database, on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    port: int
    process: subprocess.Popen

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"


@contextmanager
def run_server(
    env: dict[str, str],
    *,
    extra_env: dict[str, str] | None = None,
    workers: int = 1,
    output: IO[bytes] | None = None,
) -> Iterator[Server]:
    """``workers`` > 1 runs that many uvicorn worker processes on the port (as
    ``fenpay serve --workers N``); ``output`` receives the server's stdout and stderr."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.http.asgi:app_factory", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
         "--ws-per-message-deflate", "false",  # as `fenpay serve` runs it
         "--ws", "app.http.ws_server:LeanWebSocketProtocol",
         *(["--workers", str(workers)] if workers > 1 else [])],
        env={**os.environ, **env, **(extra_env or {})},
        stdout=output,
        stderr=subprocess.STDOUT if output is not None else None,
    )
    try:
        deadline = time.monotonic() + 60  # as the e2e server: a loaded 2-core machine can take 30 s
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.1)  # start-up poll of an external process, not a wait for a job
        yield Server(port=port, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
