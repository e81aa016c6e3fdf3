"""GraphQL hardening: depth, alias and token limits, masked unexpected errors, introspection
and GraphiQL switchable off."""

from __future__ import annotations

import dataclasses
import logging

import httpx
import pytest

from app.http.asgi import create_app
from models import User
from tests.factories import make_user, token_for


def _nested(levels: int) -> str:
    """viewer > account > transactions > edges > node, then refunds/transaction pairs."""
    head = ["viewer", "account", "transactions", "edges", "node"]
    path = list(head)
    while len(path) < levels:
        path.append("refunds" if path[-1] in ("node", "transaction") else "transaction")
    body = "id"
    for name in reversed(path):
        body = f"{name} {{ {body} }}"
    return "{ " + body + " }"


async def test_query_depth_is_limited(gql):
    user = await make_user()
    shallow = await gql(_nested(11), token=token_for(user))  # 11 levels of fields + the leaf
    assert not any("depth" in e["message"] for e in shallow.errors), shallow.errors
    deep = await gql(_nested(14), token=token_for(user))
    assert deep.errors and "depth" in deep.errors[0]["message"]
    assert not deep.data


async def test_aliases_are_limited(gql):
    allowed = "{ " + " ".join(f"a{i}: viewer {{ id }}" for i in range(30)) + " }"
    assert not (await gql(allowed)).errors
    too_many = "{ " + " ".join(f"a{i}: viewer {{ id }}" for i in range(31)) + " }"
    result = await gql(too_many)
    assert result.errors and "alias" in result.errors[0]["message"].lower()


async def test_tokens_are_limited(gql):
    huge = "{ viewer { " + " ".join(["id"] * 2100) + " } }"
    result = await gql(huge)
    assert result.errors and "token" in result.errors[0]["message"].lower()
    assert not result.data


async def test_unexpected_errors_are_masked_and_logged_with_the_request_id(gql, caplog):
    user = await make_user()
    # Corrupt ciphertext: decrypting it raises deep inside a field resolver.
    await User.filter(id=user.id).update(real_name_enc="v1:0000dead:bm90LWNpcGhlcnRleHQ=")
    with caplog.at_level(logging.ERROR, logger="fenpay.graphql"):
        result = await gql("{ viewer { id realName } }", token=token_for(user), headers={"X-Request-Id": "req-7f3a"})
    (error,) = result.errors
    assert error["message"] == "Internal error"
    assert "ciphertext" not in str(result) and "Traceback" not in str(result) and "extensions" not in error
    assert result.data == {"viewer": {"id": result.data["viewer"]["id"], "realName": None}}
    assert any("req-7f3a" in record.getMessage() for record in caplog.records)


@pytest.fixture
async def production_like_http(platform):  # noqa: ANN001, ANN201
    settings = dataclasses.replace(platform.settings, introspection=False, graphiql=False)
    transport = httpx.ASGITransport(app=create_app(settings, manage_runtime=False), client=("127.0.0.9", 40001))
    async with httpx.AsyncClient(transport=transport, base_url="http://fenpay.test") as client:
        yield client


async def test_introspection_can_be_switched_off(production_like_http, gql):
    query = {"query": "{ __schema { queryType { name } } }"}
    assert (await gql(query["query"])).data == {"__schema": {"queryType": {"name": "Query"}}}
    refused = (await production_like_http.post("/graphql", json=query)).json()
    assert refused.get("errors") and not refused.get("data")
    assert "introspection" in refused["errors"][0]["message"].lower()
    still_works = (await production_like_http.post("/graphql", json={"query": "{ viewer { id } }"})).json()
    assert still_works == {"data": {"viewer": None}}


async def test_graphiql_can_be_switched_off(production_like_http, http):
    html = {"Accept": "text/html"}
    assert "graphiql" in (await http.get("/graphql", headers=html)).text.lower()
    response = await production_like_http.get("/graphql", headers=html)
    assert "graphiql" not in response.text.lower()
    assert response.status_code in (400, 404, 405)
