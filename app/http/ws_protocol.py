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


def _envelope_problem(message: Any, *, object_payload: tuple[str, ...], with_id: tuple[str, ...]) -> str | None:
    """What both protocols ask of every message: an object with a string type, an object (or
    no) payload on the connection messages, a non-empty string id on the operation messages."""
    if not isinstance(message, dict):
        return "Message must be a JSON object"
    kind = message.get("type")
    if not isinstance(kind, str):
        return "Message type must be a string"
    if kind in object_payload and not isinstance(message.get("payload"), _OPTIONAL_OBJECT):
        return "Payload must be an object"
    if kind in with_id:
        operation_id = message.get("id")
        if not isinstance(operation_id, str) or not operation_id:
            return "Operation id must be a non-empty string"
    return None


def _operation_problem(payload: Any) -> str | None:
    """The payload of a subscribe (graphql-transport-ws) or start (graphql-ws) message."""
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


def shape_problem(message: Any) -> str | None:
    """Why a client message is malformed, or None when its shape is fine."""
    problem = _envelope_problem(
        message, object_payload=("connection_init", "ping", "pong"), with_id=("subscribe", "complete")
    )
    if problem is None and message["type"] == "subscribe":
        return _operation_problem(message.get("payload"))
    return problem


class CheckedTransportWSHandler(BaseGraphQLTransportWSHandler):
    async def handle_message(self, message: Any) -> None:
        problem = shape_problem(message)
        if problem is not None:
            await self.handle_invalid_message(problem)
            return
        await super().handle_message(message)


def legacy_shape_problem(message: Any) -> str | None:
    """The same check for the legacy graphql-ws protocol (start/stop instead of subscribe/complete)."""
    problem = _envelope_problem(message, object_payload=("connection_init",), with_id=("start", "stop"))
    if problem is None and message["type"] == "start":
        return _operation_problem(message.get("payload"))
    return problem


class CheckedLegacyWSHandler(BaseGraphQLWSHandler):
    async def handle_message(self, message: Any) -> None:
        problem = legacy_shape_problem(message)
        if problem is not None:
            await self.websocket.close(code=4400, reason=problem)
            return
        await super().handle_message(message)
