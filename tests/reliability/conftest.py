"""Shared fixtures of the reliability suites."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.harness.server import Server, run_server


@pytest.fixture(scope="package")
def live_server(test_env, platform) -> Iterator[Server]:  # noqa: ANN001
    """One real uvicorn process for the attack suites that need sockets."""
    with run_server(test_env) as server:
        yield server
