"""Unexpected errors reach the client as "Internal error", also while other requests run.

Found by the bank test: schema extensions passed as instances are shared by every request,
so MaskErrors read another request's result and let raw asyncpg messages through.
"""

from __future__ import annotations

import asyncio

from strawberry.extensions import SchemaExtension

import resolvers.support
from schema.root import build_schema


async def test_extensions_are_built_per_request():
    schema = build_schema()
    assert schema.extensions
    assert not any(isinstance(extension, SchemaExtension) for extension in schema.extensions)
    first, second = schema.get_extensions(), schema.get_extensions()
    assert all(a is not b for a, b in zip(first, second, strict=True))


async def test_an_unexpected_error_stays_masked_while_another_request_runs(http, monkeypatch):
    started, release = asyncio.Event(), asyncio.Event()

    async def exploding(search: str | None) -> list:
        started.set()
        await release.wait()
        raise RuntimeError("secret internals: relation users at 10.0.0.5")

    monkeypatch.setattr(resolvers.support, "search_faq", exploding)
    failing = asyncio.create_task(http.post("/graphql", json={"query": '{ faq(search: "x") { question } }'}))
    await started.wait()
    other = await http.post("/graphql", json={"query": "{ __typename }"})
    assert other.json() == {"data": {"__typename": "Query"}}
    release.set()
    response = await failing
    body = response.json()
    assert "secret" not in response.text
    assert [e["message"] for e in body["errors"]] == ["Internal error"]

