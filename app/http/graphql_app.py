"""Strawberry's ASGI GraphQL app with fenpay's context and websocket authentication."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.file_uploads.utils import replace_placeholders_with_files

from app.errors import DomainError
from schema.context import Context

from ..ops import log_context
from .ws_protocol import CheckedLegacyWSHandler, CheckedTransportWSHandler

# strawberry's GraphiQL page with its scripts and styles served by fenpay (no CDN): see
# app/http/static/graphiql/README.md. The assets are mounted at GRAPHIQL_ASSETS_PATH.
GRAPHIQL_DIR = Path(__file__).resolve().parent / "static" / "graphiql"
GRAPHIQL_ASSETS_PATH = "/graphiql-assets"


def _client_ip(request: Request | WebSocket) -> str | None:
    return request.client.host if request.client else None


class FenpayGraphQL(GraphQL[Context, None]):
    # Both protocols the contract names; each checks message shapes before strawberry
    # indexes into them (malformed messages close the socket with 4400 instead of crashing).
    graphql_transport_ws_handler_class = CheckedTransportWSHandler
    graphql_ws_handler_class = CheckedLegacyWSHandler

    @cached_property
    def graphql_ide_html(self) -> str:
        """The GraphiQL page, loading only same-origin assets (works offline)."""
        return (GRAPHIQL_DIR / "index.html").read_text(encoding="utf-8")

    def decode_json(self, data: str | bytes) -> object:
        """Every JSON document fenpay accepts is an object: a request body, multipart
        ``operations`` and ``map``, ``variables`` and ``extensions``, and each websocket
        message (batching is off). Anything else is refused as malformed: a clean 400 over
        HTTP, close code 4400 on a websocket (strawberry would crash on ``message["type"]``).
        orjson also rejects invalid UTF-8 and nesting past 1024 levels (the standard library
        raised UnicodeDecodeError / RecursionError there, which became a 500)."""
        value = orjson.loads(data)
        if not isinstance(value, dict):
            raise orjson.JSONDecodeError("expected a JSON object", data if isinstance(data, str) else "", 0)
        return value

    def encode_json(self, data: object) -> str:
        # Results hold only JSON-native values (scalars are serialized already); orjson
        # encodes them several times faster than the standard library. A str, not bytes:
        # strawberry sends bytes over a websocket as binary frames, which browsers' GraphQL
        # clients do not read.
        return orjson.dumps(data).decode()

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
            request_id=log_context.request_id.get() or secrets.token_hex(8),
            authorization=None if is_ws else request.headers.get("authorization"),
            request=request,
            response=response,
            is_websocket=is_ws,
        )

    async def on_ws_connect(self, context: Context) -> None:
        """Take the access token from the connection_init payload; a bad token is refused."""
        params = context.connection_params or {}
        # Read here only: the decoded payload would otherwise stay on the context for the
        # socket's life (~0.7 KiB per idle subscriber).
        context.connection_params = None
        authorization = params.get("authorization") or params.get("Authorization")
        if authorization is None:
            return None  # anonymous: only subscriptions that need no user will work
        if not isinstance(authorization, str):
            raise ConnectionRejectionError({"message": "invalid authorization"})
        context.authorization = authorization
        context.cache.clear()
        context.forget_viewer()
        if context.has_api_key:  # a merchant's server: the key must be live (viewer stays None)
            try:
                await context.api_key()
            except DomainError as error:
                raise ConnectionRejectionError({"message": "invalid API key", "code": error.code.value}) from None
            return None
        # A well-signed token of a user who no longer exists is as good as none.
        if context.viewer_id is None or await context.viewer() is None:
            raise ConnectionRejectionError({"message": "invalid or expired token"})
        return None
