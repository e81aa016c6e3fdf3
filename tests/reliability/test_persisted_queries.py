"""Automatic persisted queries (issue 24, schema/persisted_queries.py): a hash alone runs a
document registered before; an unknown hash asks for the text; a wrong hash is refused; the
cost, depth and string limits still hold; against the real ``fenpay serve`` too (with
PostgreSQL + Redis, two workers share what either learnt)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from schema.persisted_queries import PersistedQueryStore, StoredDocument, sha256_hex
from tests.factories import make_user, token_for
from tests.harness.fenpay_serve import Served, fenpay_serve

NODE = "edges { node { id transactionNo amount type status createdAt } }"


def _unique(body: str) -> str:
    """A query text no other test registered (the app, and so its store, lives for the session)."""
    return f"query Q{secrets.token_hex(6)}{body}"


def _apq(sha256_hash: str, query: str | None = None, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256_hash}}}
    if query is not None:
        body["query"] = query
    if variables is not None:
        body["variables"] = variables
    return body


async def _post(http: httpx.AsyncClient, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _codes(result: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in result.get("errors") or []]


async def test_unknown_hash_asks_for_the_text_then_the_hash_alone_runs_it(http):
    user = await make_user()
    token = token_for(user)
    query = _unique("{ viewer { id phone } }")
    digest = sha256_hex(query)

    missed = await _post(http, _apq(digest), token)
    assert missed.get("data") is None
    assert [e["message"] for e in missed["errors"]] == ["PersistedQueryNotFound"]
    assert _codes(missed) == ["PERSISTED_QUERY_NOT_FOUND"]

    registered = await _post(http, _apq(digest, query), token)
    assert "errors" not in registered
    assert registered["data"]["viewer"]["id"]

    hit = await _post(http, _apq(digest), token)
    assert hit == registered
    # The document is the caller's to run: another user's token sees their own viewer.
    other = await make_user()
    theirs = (await _post(http, _apq(digest), token_for(other)))["data"]["viewer"]
    assert theirs["id"] and theirs["id"] != registered["data"]["viewer"]["id"]


async def test_a_hash_that_does_not_match_the_text_is_refused_and_nothing_is_stored(http):
    user = await make_user()
    query = _unique("{ viewer { id } }")
    wrong = sha256_hex(query + " ")
    refused = await _post(http, _apq(wrong, query), token_for(user))
    assert refused.get("data") is None
    (error,) = refused["errors"]
    assert error["extensions"] == {"code": "VALIDATION_FAILED", "field": ["extensions", "persistedQuery", "sha256Hash"]}
    assert _codes(await _post(http, _apq(wrong), token_for(user))) == ["PERSISTED_QUERY_NOT_FOUND"]


@pytest.mark.parametrize(
    ("persisted", "field"),
    [
        ({"version": 2, "sha256Hash": "0" * 64}, ["extensions", "persistedQuery", "version"]),
        ({"version": 1, "sha256Hash": "xyz"}, ["extensions", "persistedQuery", "sha256Hash"]),
        ({"version": 1}, ["extensions", "persistedQuery", "sha256Hash"]),
        ("abc", ["extensions", "persistedQuery"]),
    ],
)
async def test_a_malformed_persisted_query_extension_is_refused_with_its_field(http, persisted, field):
    result = await _post(http, {"query": "{ __typename }", "extensions": {"persistedQuery": persisted}})
    assert result.get("data") is None
    (error,) = result["errors"]
    assert error["extensions"] == {"code": "VALIDATION_FAILED", "field": field}


async def test_the_cost_limit_still_applies_to_a_known_hash(http):
    user = await make_user()
    token = token_for(user)
    query = _unique("($n: Int) { " + " ".join(f"a{i}: transactions(first: $n) {{ {NODE} }}" for i in range(10)) + " }")
    digest = sha256_hex(query)
    assert "errors" not in await _post(http, _apq(digest, query, {"n": 5}), token)
    assert "errors" not in await _post(http, _apq(digest, variables={"n": 5}), token)
    costly = await _post(http, _apq(digest, variables={"n": 100}), token)
    assert costly.get("data") is None
    assert _codes(costly) == ["QUERY_TOO_COSTLY"]


async def test_documents_over_a_limit_are_refused_and_never_stored(http):
    user = await make_user()
    token = token_for(user)
    costly = _unique("{ " + " ".join(f"a{i}: transactions(first: 100) {{ {NODE} }}" for i in range(30)) + " }")
    deep = _unique("{ viewer " + "{ wallet { owner " * 7 + "{ id }" + " } }" * 7 + " }")
    bad_string = _unique('{ transaction(transactionNo: "' + "9" * 100 + '") { id } }')
    for query in (costly, deep, bad_string):
        digest = sha256_hex(query)
        refused = await _post(http, _apq(digest, query), token)
        assert refused.get("data") is None, query
        assert refused["errors"], query
        assert _codes(await _post(http, _apq(digest), token)) == ["PERSISTED_QUERY_NOT_FOUND"], query


async def test_string_bounds_still_apply_to_the_variables_of_a_known_hash(http):
    user = await make_user()
    token = token_for(user)
    query = _unique("($no: String!) { transaction(transactionNo: $no) { id } }")
    digest = sha256_hex(query)
    assert "errors" not in await _post(http, _apq(digest, query, {"no": "T1"}), token)
    refused = await _post(http, _apq(digest, variables={"no": "T" * 100}), token)
    assert _codes(refused) == ["VALIDATION_FAILED"]
    assert refused["errors"][0]["extensions"]["field"] == ["transactionNo"]


def test_the_store_is_a_bounded_lru():
    from graphql import parse

    store = PersistedQueryStore(2)
    entries = {name: StoredDocument(f"{{ {name} }}", parse(f"{{ {name} }}")) for name in ("a", "b", "c")}
    store.put("a", entries["a"])
    store.put("b", entries["b"])
    assert store.get("a") is entries["a"]  # a is now the most recent
    store.put("c", entries["c"])
    assert len(store) == 2
    assert store.get("b") is None
    assert store.get("a") is entries["a"] and store.get("c") is entries["c"]
    off = PersistedQueryStore(0)
    off.put("a", entries["a"])
    assert off.get("a") is None


@pytest.fixture(scope="module")
def served(test_env, platform) -> Iterator[Served]:  # noqa: ANN001
    with fenpay_serve(test_env) as server:
        yield server


async def test_persisted_queries_against_fenpay_serve(served: Served):
    user = await make_user()
    headers = {"Authorization": f"Bearer {token_for(user)}"}
    query = _unique("{ viewer { phone } }")
    digest = sha256_hex(query)
    async with httpx.AsyncClient(base_url=served.http_url, timeout=10) as client:
        missed = (await client.post("/graphql", json=_apq(digest), headers=headers)).json()
        assert _codes(missed) == ["PERSISTED_QUERY_NOT_FOUND"]
        registered = (await client.post("/graphql", json=_apq(digest, query), headers=headers)).json()
        assert registered["data"]["viewer"]["phone"].endswith(user.phone[-4:])
        mismatch = (await client.post("/graphql", json=_apq("0" * 64, query), headers=headers)).json()
        assert _codes(mismatch) == ["VALIDATION_FAILED"]
    # A new connection for each request: with two workers both answer some of them, so the
    # hash alone works on a worker that never saw the text (it learns it through Redis).
    for _ in range(12):
        async with httpx.AsyncClient(base_url=served.http_url, timeout=10) as client:
            hit = (await client.post("/graphql", json=_apq(digest), headers=headers)).json()
            assert hit == registered
    assert "Traceback" not in served.output()


async def test_websocket_subscribe_messages_may_carry_the_hash(served: Served):
    import json

    import websockets

    user = await make_user()
    # A malformed cursor is refused as soon as the subscription starts: proof the text ran.
    query = "subscription S%s { balanceChanged(after: \"not a cursor\") { delta } }" % secrets.token_hex(6)
    digest = sha256_hex(query)

    async def subscribe(ws, id_: str, body: dict[str, Any]) -> dict[str, Any]:  # noqa: ANN001
        await ws.send(json.dumps({"id": id_, "type": "subscribe", "payload": body}))
        return json.loads(await ws.recv())

    async with websockets.connect(served.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token_for(user)}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        missed = await subscribe(ws, "1", _apq(digest))
        assert missed["type"] == "error" and missed["id"] == "1"
        assert [e["extensions"]["code"] for e in missed["payload"]] == ["PERSISTED_QUERY_NOT_FOUND"]
        mismatch = await subscribe(ws, "2", _apq("0" * 64, query))
        assert mismatch["type"] == "error"
        assert mismatch["payload"][0]["extensions"]["field"] == ["extensions", "persistedQuery", "sha256Hash"]
        with_text = await subscribe(ws, "3", _apq(digest, query))
        if with_text["type"] == "next":
            assert json.loads(await ws.recv()) == {"id": "3", "type": "complete"}
        hit = await subscribe(ws, "4", _apq(digest))
    for answer in (with_text, hit):
        assert answer["type"] in ("next", "error"), answer
        errors = answer["payload"]["errors"] if answer["type"] == "next" else answer["payload"]
        assert [e["extensions"]["code"] for e in errors] == ["VALIDATION_FAILED"], answer
        assert errors[0]["extensions"].get("field") == ["after"], answer
    assert "Traceback" not in served.output()
