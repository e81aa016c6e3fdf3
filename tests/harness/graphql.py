"""A small GraphQL client for tests (in-process over HTTP)."""

from __future__ import annotations

from typing import Any

import httpx


class GraphQLResponse(dict):
    @property
    def data(self) -> dict[str, Any]:
        return self.get("data") or {}

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.get("errors") or []

    def error_codes(self) -> list[str]:
        return [(e.get("extensions") or {}).get("code", "") for e in self.errors]


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> GraphQLResponse:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
        )
        assert response.status_code in (200, 400), response.text
        return GraphQLResponse(response.json())

    async def ok(self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        """Run and assert there are no GraphQL errors; returns ``data``."""
        result = await self(query, variables, **kwargs)
        assert not result.errors, result.errors
        return result.data

    async def mutate(
        self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Run a single-mutation document; returns its payload (asserting no GraphQL errors)."""
        data = await self.ok(query, variables, **kwargs)
        (payload,) = data.values()
        return payload


def user_error_codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload.get("errors") or []]
