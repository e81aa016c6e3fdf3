"""The rails scenarios against a real `fenpay serve`-style server subprocess (uvicorn, the
sandbox channels wired by the registry, SQLite or PostgreSQL + Redis per the test backend).
The jobs run on demand here at an injected instant against the same database: the sandbox
channels' memory lives in the database, so the recovery job's ``query`` learns what the
server's calls did."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import pytest
import pytest_asyncio

from app.jobs.registry import run_once
from tests.harness.graphql import GraphQLClient
from tests.harness.server import Server, run_server
from tests.money.rails_support import Rails, faulty_cards_end_final, refunds_arrive_through_real_channels


@pytest.fixture(scope="module")
def server(test_env, platform) -> Iterator[Server]:  # noqa: ANN001
    with run_server(test_env) as srv:
        yield srv


async def _jobs(now: datetime) -> dict[str, str]:
    return dict(await run_once(now))  # the clock returns to real time, as the server's is


@pytest_asyncio.fixture
async def rails(server: Server) -> AsyncIterator[Rails]:
    async with httpx.AsyncClient(base_url=server.http_url, timeout=30) as client:
        yield Rails(GraphQLClient(client), client, _jobs)


def _server_still_running(server: Server) -> None:
    assert server.process.poll() is None, "the server stopped"


async def test_refunds_through_real_channels_on_a_real_server(rails, server):
    await refunds_arrive_through_real_channels(rails, datetime.now(UTC))
    _server_still_running(server)


async def test_0091_and_0092_cards_on_a_real_server(rails, server):
    await faulty_cards_end_final(rails, datetime.now(UTC))
    _server_still_running(server)
