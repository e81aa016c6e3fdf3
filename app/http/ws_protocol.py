"""graphql-transport-ws with every client message checked for shape before strawberry sees it.

Strawberry indexes messages directly (``message["type"]``, ``message["payload"]["query"]``),
so a subscribe whose payload is a string, or a message without an id, raised out of the
handler and the socket was dropped without a close frame. Here any message of the wrong
shape closes the connection with 4400, as the protocol asks.
"""

from __future__ import annotations

from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

_OPTIONAL_OBJECT = (dict, type(None))


def shape_problem(message: Any) -> str | None:
    """Why a client message is malformed, or None when its shape is fine."""
    if not isinstance(message, dict):
        return "Message must be a JSON object"
    kind = message.get("type")
    if not isinstance(kind, str):
        return "Message type must be a string"
    if kind in ("connection_init", "ping", "pong") and not isinstance(message.get("payload"), _OPTIONAL_OBJECT):
        return "Payload must be an object"
    if kind in ("subscribe", "complete"):
        operation_id = message.get("id")
        if not isinstance(operation_id, str) or not operation_id:
            return "Operation id must be a non-empty string"
    if kind == "subscribe":
        payload = message.get("payload")
        if not isinstance(payload, dict):
            return "Subscribe payload must be an object"
        if not isinstance(payload.get("query"), str):
            return "Subscribe query must be a string"
        if not isinstance(payload.get("variables"), _OPTIONAL_OBJECT):
            return "Subscribe variables must be an object"
        if not isinstance(payload.get("extensions"), _OPTIONAL_OBJECT):
            return "Subscribe extensions must be an object"
        if not isinstance(payload.get("operationName"), (str, type(None))):
            return "Subscribe operationName must be a string"
    return None


class CheckedTransportWSHandler(BaseGraphQLTransportWSHandler):
    async def handle_message(self, message: Any) -> None:
        problem = shape_problem(message)
        if problem is not None:
            await self.handle_invalid_message(problem)
            return
        await super().handle_message(message)


def legacy_shape_problem(message: Any) -> str | None:
    """The same check for the legacy graphql-ws protocol (start/stop instead of subscribe/complete)."""
    if not isinstance(message, dict):
        return "Message must be a JSON object"
    kind = message.get("type")
    if not isinstance(kind, str):
        return "Message type must be a string"
    if kind == "connection_init" and not isinstance(message.get("payload"), _OPTIONAL_OBJECT):
        return "Payload must be an object"
    if kind in ("start", "stop"):
        operation_id = message.get("id")
        if not isinstance(operation_id, str) or not operation_id:
            return "Operation id must be a non-empty string"
    if kind == "start":
        translated = {**message, "type": "subscribe"}
        return shape_problem(translated)
    return None


class CheckedLegacyWSHandler(BaseGraphQLWSHandler):
    async def handle_message(self, message: Any) -> None:
        problem = legacy_shape_problem(message)
        if problem is not None:
            await self.websocket.close(code=4400, reason=problem)
            return
        await super().handle_message(message)
