"""Strawberry's ASGI GraphQL app with fenpay's context and websocket authentication."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError

from schema.context import Context


def _client_ip(request: Request | WebSocket) -> str | None:
    return request.client.host if request.client else None


class FenpayGraphQL(GraphQL):
    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        is_ws = isinstance(request, WebSocket)
        return Context(
            client_ip=_client_ip(request),
            request_id=request.headers.get("x-request-id") or secrets.token_hex(8),
            authorization=None if is_ws else request.headers.get("authorization"),
            request=request,
            response=response,
            is_websocket=is_ws,
        )

    async def on_ws_connect(self, context: Context) -> Any:
        """Take the access token from the connection_init payload; a bad token is refused."""
        params = context.connection_params or {}
        authorization = params.get("authorization") or params.get("Authorization")
        if authorization is None:
            return None  # anonymous: only subscriptions that need no user will work
        if not isinstance(authorization, str):
            raise ConnectionRejectionError({"message": "invalid authorization"})
        context.authorization = authorization
        context.cache.clear()
        if context.viewer_id is None:
            raise ConnectionRejectionError({"message": "invalid or expired token"})
        return None
