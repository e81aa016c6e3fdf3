"""One scheduled job: a name, how often it runs, and what it does at an instant."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

JobFunc = Callable[[datetime], Awaitable[str]]


@dataclass(frozen=True)
class Job:
    """``run(now)`` does what is due at ``now`` (idempotently) and returns a one-line summary;
    ``every_seconds`` is the interval of ``fenpay jobs``' schedule."""

    name: str
    every_seconds: int
    run: JobFunc
