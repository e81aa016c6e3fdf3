"""Strawberry's ASGI GraphQL app with fenpay's context and websocket authentication."""

from __future__ import annotations

import secrets
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.file_uploads.utils import replace_placeholders_with_files

from schema.context import Context


def _client_ip(request: Request | WebSocket) -> str | None:
    return request.client.host if request.client else None


class FenpayGraphQL(GraphQL):
    def decode_json(self, data: str | bytes) -> object:
        # orjson rejects invalid UTF-8 and nesting past 1024 levels with a JSONDecodeError
        # (the standard library raises UnicodeDecodeError / RecursionError: a 500).
        return orjson.loads(data)

    def parse_json(self, data: str | bytes) -> Any:
        """A request body, multipart ``operations`` or ``variables``: an object (or a batch list)."""
        value = super().parse_json(data)
        if not isinstance(value, (dict, list)):
            raise HTTPException(400, "The request body must be a JSON object")
        return value

    async def parse_multipart(self, request: Any) -> dict[str, str]:
        try:
            form_data = await request.get_form_data()
        except ValueError as exc:
            raise HTTPException(400, "Unable to parse the multipart body") from exc
        operations = form_data.form.get("operations", "{}")
        files_map = form_data.form.get("map", "{}")
        operations = self.parse_json(operations) if isinstance(operations, (bytes, str)) else operations
        files_map = self.parse_json(files_map) if isinstance(files_map, (bytes, str)) else files_map
        if not isinstance(files_map, dict) or not all(
            isinstance(paths, list) and all(isinstance(p, str) for p in paths) for paths in files_map.values()
        ):
            raise HTTPException(400, "The multipart `map` must map file fields to lists of paths")
        try:
            return replace_placeholders_with_files(operations, files_map, form_data.files)
        except KeyError as exc:
            raise HTTPException(400, "File(s) missing in form data") from exc
        except (IndexError, ValueError, TypeError) as exc:
            raise HTTPException(400, "The multipart `map` names a path that does not exist") from exc

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
