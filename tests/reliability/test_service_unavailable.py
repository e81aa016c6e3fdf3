"""Issue 16 item 9: a dependency failing before anything committed (the database connection
ended mid-transaction, Redis unreachable) answers SERVICE_UNAVAILABLE, which the client
retries with the same idempotency key, instead of the masked "Internal error"."""

from __future__ import annotations

import secrets

import asyncpg
import pytest

import resolvers.support
from app import runtime
from app.kvstore import RedisStore
from models import Transaction
from tests.conftest import PG_URL
from tests.factories import DEFAULT_PASSWORD, DEFAULT_PIN, fund, make_user, token_for, wallet_balance
from tests.identity.helpers import LOGIN
from tests.payments.support import TRANSFER

UNAVAILABLE_MESSAGE = "服务暂时不可用，请稍后使用相同的请求重试"


@pytest.fixture
async def redis_down(monkeypatch):  # noqa: ANN001, ANN201
    """The key-value store is a real Redis client pointed at a port where nothing listens."""
    rt = runtime.get()
    dead = RedisStore("redis://127.0.0.1:1/0", prefix="fenpay-test-dead:")
    monkeypatch.setattr(rt, "kv", dead)
    yield dead
    await dead.close()


async def test_login_with_redis_down_answers_service_unavailable(gql, redis_down):
    user = await make_user()
    payload = await gql.mutate(LOGIN, {"identifier": user.phone, "password": DEFAULT_PASSWORD})
    assert payload["auth"] is None
    assert payload["errors"] == [{"code": "SERVICE_UNAVAILABLE", "message": UNAVAILABLE_MESSAGE, "field": None}]


async def test_a_query_whose_dependency_fails_says_so_unmasked(http, monkeypatch):
    async def unreachable(search: str | None) -> list:
        raise ConnectionResetError("Connection reset by peer: 10.0.0.5:5432")

    monkeypatch.setattr(resolvers.support, "search_faq", unreachable)
    response = await http.post("/graphql", json={"query": '{ faq(search: "x") { question } }'})
    body = response.json()
    assert "10.0.0.5" not in response.text
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (UNAVAILABLE_MESSAGE, "SERVICE_UNAVAILABLE")
    ]


async def test_a_bug_is_still_masked(http, monkeypatch):
    async def broken(search: str | None) -> list:
        raise KeyError("secret internals")

    monkeypatch.setattr(resolvers.support, "search_faq", broken)
    response = await http.post("/graphql", json={"query": '{ faq(search: "x") { question } }'})
    assert [e["message"] for e in response.json()["errors"]] == ["Internal error"]


# --- PostgreSQL: the backend of a money transaction is ended in the middle of it -------------

KILL_ONCE = """
CREATE SEQUENCE IF NOT EXISTS test_kill_once_seq;
CREATE OR REPLACE FUNCTION test_kill_once() RETURNS trigger AS $$
BEGIN
  -- nextval is not rolled back: only the first insert ends its own backend.
  IF nextval('test_kill_once_seq') = 1 THEN
    PERFORM pg_terminate_backend(pg_backend_pid());
    PERFORM pg_sleep(1);
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER test_kill_once BEFORE INSERT ON transactions FOR EACH ROW EXECUTE FUNCTION test_kill_once();
"""
UNDO = """
DROP TRIGGER IF EXISTS test_kill_once ON transactions;
DROP FUNCTION IF EXISTS test_kill_once();
DROP SEQUENCE IF EXISTS test_kill_once_seq;
"""


async def _admin(script: str) -> None:
    import os

    conn = await asyncpg.connect(os.environ["FENPAY_DATABASE_URL"].replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(script)
    finally:
        await conn.close()


@pytest.fixture
async def kill_next_transaction_insert():  # noqa: ANN201
    """Call it to arm: the next INSERT into ``transactions`` ends its own backend."""

    async def arm() -> None:
        await _admin(UNDO + KILL_ONCE)

    yield arm
    await _admin(UNDO)


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (ends a server backend)")
async def test_a_transfer_whose_connection_ends_mid_transaction_is_retried_safely(gql, kill_next_transaction_insert):
    payer, payee = await make_user(), await make_user()
    await fund(payer, 100_00)
    await kill_next_transaction_insert()
    before = await Transaction.all().count()
    variables = {
        "input": {"recipient": payee.phone, "amount": "30.00", "paymentPassword": DEFAULT_PIN,
                  "idempotencyKey": secrets.token_hex(8)}
    }
    token = token_for(payer)
    first = await gql.mutate(TRANSFER, variables, token=token)
    assert [(e["code"], e["message"]) for e in first["errors"]] == [("SERVICE_UNAVAILABLE", UNAVAILABLE_MESSAGE)]
    # Nothing of it committed.
    assert await wallet_balance(payer) == (100_00, 0)
    assert await wallet_balance(payee) == (0, 0)
    assert await Transaction.all().count() == before
    # The retry with the same key moves the money once; a second retry replays it.
    second = await gql.mutate(TRANSFER, variables, token=token)
    assert second["errors"] == [] and second["transaction"]["status"] == "SUCCEEDED"
    third = await gql.mutate(TRANSFER, variables, token=token)
    assert third["transaction"]["transactionNo"] == second["transaction"]["transactionNo"]
    assert await wallet_balance(payer) == (70_00, 0)
    assert await wallet_balance(payee) == (30_00, 0)
