"""PostgreSQL backends ended under the pool (restart, failover, ``pg_terminate_backend``):
the next transactions begin on fresh connections instead of failing, and the pool keeps
its size. Found by the bank test: a failed BEGIN leaked the connection and poisoned the
task's connection context, so every later query of the request failed as well."""

from __future__ import annotations

import asyncio
import os
from urllib.parse import urlsplit

import asyncpg
import pytest

from app import db, runtime
from models import Account
from models.support import Ticket
from tests.conftest import PG_URL
from tests.factories import make_user, token_for

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (SQLite has no server backends)")

SUBMIT = (
    'mutation { submitTicket(input: {kind: FEEDBACK, subject: "s", body: "b"}) {'
    " ticket { ticketNo } errors { code } } }"
)


async def terminate_backends() -> int:
    """End every backend of the test database except the one asking."""
    database = urlsplit(os.environ["FENPAY_DATABASE_URL"]).path.lstrip("/")
    admin = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://"))
    try:
        rows = await admin.fetch(
            "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    finally:
        await admin.close()
    return sum(1 for row in rows if row["ended"])


async def _fill_pool() -> None:
    async def hold() -> None:
        async with db.atomic() as conn:
            await conn.execute_query("SELECT pg_sleep(0.05)")

    await asyncio.gather(*(hold() for _ in range(runtime.settings().db_pool_max)))


async def test_transactions_begin_again_after_backends_are_ended():
    await _fill_pool()
    assert await terminate_backends() >= 1
    for _ in range(runtime.settings().db_pool_max * 2):
        async with db.atomic() as conn:
            await conn.execute_query("SELECT 1")
    # The same task keeps working outside transactions too (its connection context was restored).
    assert await Account.all().count() >= 1


async def test_the_pool_keeps_its_size_after_repeated_kills():
    for _ in range(3):
        await _fill_pool()
        await terminate_backends()
        async with db.atomic() as conn:
            await conn.execute_query("SELECT 1")
    # Every slot is usable at once: nothing leaked.
    await asyncio.wait_for(_fill_pool(), timeout=10)


async def test_a_mutation_after_the_kill_succeeds_first_time(gql):
    user = await make_user()
    token = token_for(user)
    await _fill_pool()
    await terminate_backends()
    payload = await gql.mutate(SUBMIT, token=token)
    assert payload["ticket"] and not payload["errors"]
    assert await Ticket.all().count() == 1
