"""graphql-transport-ws with every client message checked for shape before strawberry sees it.

Strawberry indexes messages directly (``message["type"]``, ``message["payload"]["query"]``),
so a subscribe whose payload is a string, or a message without an id, raised out of the
handler and the socket was dropped without a close frame. Here any message of the wrong
shape closes the connection with 4400, as the protocol asks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from graphql import GraphQLError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from schema.context import Context
from schema.persisted_queries import subscription_text

from .. import clock, runtime
from ..identity.session_check import SESSIONS_ENDED_TOPIC

_OPTIONAL_OBJECT = (dict, type(None))
log = logging.getLogger("fenpay.ws")

# A socket opened with an access token is closed with this code as soon as the token expires
# or its sign-in is revoked (logout, password change, refresh-token reuse). The client then
# calls `refresh` for a new access token and opens a new socket with it (README, Security).
CLOSE_SESSION_ENDED = 4401
SESSION_ENDED_REASON = "Token expired or revoked"
# How often an open socket re-checks its sign-in besides at the token's expiry instant.
SESSION_RECHECK_SECONDS = 15.0
CLOSE_TOO_MANY_INITS = 4429
CLOSE_INIT_TIMEOUT = 4408


async def _session_holds(context: Any) -> bool:
    """False when the socket was opened with a token that has since expired or been revoked."""
    if getattr(context, "authorization", None) is None:
        return True  # anonymous socket: nothing to expire
    if getattr(context, "has_api_key", False):
        return await context.api_key_is_live()  # a merchant key's socket ends when the key is revoked
    await context.authenticate()
    return context.viewer_id is not None


class SessionWatch:
    """Per connection: closes the socket when its access token ends.

    A timer (no task) fires at the token's expiry or after ``SESSION_RECHECK_SECONDS``,
    whichever is sooner; a short-lived task then asks ``RequestContext.authenticate`` again
    and re-arms the timer. An idle socket holds a ``TimerHandle`` instead of a sleeping task
    and its coroutine (~1.4 KiB per subscriber). Owned by the handler and stopped when the
    connection ends."""

    __slots__ = ("_check", "_context", "_family", "_timer", "_websocket")

    def __init__(self, context: Any, websocket: Any) -> None:
        self._context = context
        self._websocket = websocket
        self._timer: asyncio.TimerHandle | None = None
        self._check: asyncio.Task[None] | None = None
        self._family: str | None = None

    def start(self) -> None:
        if self._timer is None and self._check is None and getattr(self._context, "authorization", None) is not None:
            self._arm()
            self._family = getattr(self._context, "session_id", None)
            if self._family is not None:
                ended_sessions.watch(self._family, self)

    def check_now(self) -> None:
        """Re-check at once (its sign-in was announced as ended)."""
        if self._check is None and self._timer is not None:
            self._timer.cancel()
            self._fire()

    def _delay(self) -> float:
        """Seconds until the next check: the token's expiry (+10 ms) or the recheck period."""
        if getattr(self._context, "has_api_key", False):
            return SESSION_RECHECK_SECONDS  # keys do not expire; revocation is re-checked
        claims = self._context._claims()
        remaining = (claims.expires_at - clock.now().timestamp()) if claims else 0.0
        return max(0.0, min(remaining + 0.01, SESSION_RECHECK_SECONDS))

    def _arm(self) -> None:
        self._timer = asyncio.get_running_loop().call_later(self._delay(), self._fire)

    def _fire(self) -> None:
        self._timer = None
        self._check = asyncio.create_task(self._recheck())

    async def _recheck(self) -> None:
        try:
            if not await _session_holds(self._context):
                await self._websocket.close(code=CLOSE_SESSION_ENDED, reason=SESSION_ENDED_REASON)
                return
        except asyncio.CancelledError:
            raise
        except Exception:  # the socket went away under us: nothing left to watch
            log.debug("session watch ended", exc_info=True)
            return
        finally:
            self._check = None
        self._arm()

    async def stop(self) -> None:
        if self._family is not None:
            ended_sessions.unwatch(self._family, self)
            self._family = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        check, self._check = self._check, None
        if check is not None:
            check.cancel()
            with contextlib.suppress(BaseException):
                await check


class EndedSessions:
    """Per process: the open sockets of each sign-in, and one broker subscription to
    ``SESSIONS_ENDED_TOPIC`` (held while a socket is watched) that re-checks a revoked sign-in's
    sockets at once: logout closes them within milliseconds on every worker."""

    def __init__(self) -> None:
        self._watches: dict[str, set[SessionWatch]] = {}
        self._listener: asyncio.Task[None] | None = None

    def watch(self, family: str, watch: SessionWatch) -> None:
        self._watches.setdefault(family, set()).add(watch)
        if self._listener is None or self._listener.done():
            self._listener = asyncio.get_running_loop().create_task(self._listen(), name="sessions-ended")

    def unwatch(self, family: str, watch: SessionWatch) -> None:
        watches = self._watches.get(family)
        if watches is not None:
            watches.discard(watch)
            if not watches:
                del self._watches[family]
        if not self._watches and self._listener is not None:
            self._listener.cancel()  # no socket left to close: no subscription held
            self._listener = None

    async def _listen(self) -> None:
        try:
            async for message in runtime.get().broker.subscribe(SESSIONS_ENDED_TOPIC):
                for family in message.get("families") or ():
                    for watch in list(self._watches.get(family, ())):
                        watch.check_now()
        except asyncio.CancelledError:
            raise
        except Exception:  # broker gone (shutdown, Redis down): sockets keep their periodic check
            log.debug("ended-sessions listener stopped", exc_info=True)


ended_sessions = EndedSessions()


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


def _operation_problem(payload: Any, *, persisted_allowed: bool = False) -> str | None:
    """The payload of a subscribe (graphql-transport-ws) or start (graphql-ws) message."""
    if not isinstance(payload, dict):
        return "Subscribe payload must be an object"
    persisted = (
        persisted_allowed and isinstance(payload.get("extensions"), dict) and "persistedQuery" in payload["extensions"]
    )
    if not isinstance(payload.get("query"), str) and not (persisted and payload.get("query") is None):
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
        return _operation_problem(message.get("payload"), persisted_allowed=True)
    return problem


class CheckedTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    _watch: SessionWatch | None = None

    async def handle_message(self, message: Any) -> None:
        problem = shape_problem(message)
        if problem is not None:
            await self.handle_invalid_message(problem)
            return
        if message["type"] == "subscribe" and self.connection_acknowledged and not await _session_holds(self.context):
            await self.websocket.close(code=CLOSE_SESSION_ENDED, reason=SESSION_ENDED_REASON)
            return
        if message["type"] == "subscribe" and self.connection_acknowledged and message["id"] not in self.operations:
            store = getattr(self.schema, "persisted_queries", None)
            payload = message["payload"]
            if store is not None:
                try:
                    payload["query"] = await subscription_text(store, payload.get("extensions"), payload.get("query"))
                except GraphQLError as error:
                    await self.send_message({"id": message["id"], "type": "error", "payload": [error.formatted]})
                    return
        await super().handle_message(message)

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self._watch is None:
            self._watch = SessionWatch(self.context, self.websocket)
            self._watch.start()

    async def shutdown(self) -> None:
        if self._watch is not None:
            await self._watch.stop()
        await super().shutdown()

    async def send_message(self, message: Any) -> None:
        """A client that went away while an event or the final ``complete`` was being sent is
        normal (a QR sign-in page closes once CONFIRMED): the disconnect cleans its operations
        up; strawberry logged it as "Exception in worker task" with a traceback."""
        with contextlib.suppress(WebSocketDisconnected):
            await super().send_message(message)

    def forget_id(self, id: str) -> None:
        """Forget a finished operation, which may be gone already: a stream that ends (a QR
        sign-in once CONFIRMED) while the client completes it or closes the socket is cleaned
        up twice, and strawberry's ``del`` raised KeyError in a worker task (a traceback)."""
        self.operations.pop(id, None)


def legacy_shape_problem(message: Any) -> str | None:
    """The same check for the legacy graphql-ws protocol (start/stop instead of subscribe/complete)."""
    problem = _envelope_problem(message, object_payload=("connection_init",), with_id=("start", "stop"))
    if problem is None and message["type"] == "start":
        return _operation_problem(message.get("payload"))
    return problem


class CheckedLegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """The legacy protocol held to the same rules as graphql-transport-ws: one
    ``connection_init`` per socket (a second closes with 4429; strawberry acked each one and
    started another keep-alive task that nothing cancelled), an init timeout (4408), one
    keep-alive task owned by the connection, and the session watch."""

    _watch: SessionWatch | None = None
    _init_received: bool = False

    async def send_message(self, message: Any) -> None:
        """As CheckedTransportWSHandler.send_message: a client gone mid-send is not an error."""
        with contextlib.suppress(WebSocketDisconnected):
            await super().send_message(message)

    async def handle(self) -> None:
        timeout = asyncio.create_task(self._close_without_init())
        try:
            await super().handle()
        finally:
            timeout.cancel()
            with contextlib.suppress(BaseException):
                await timeout
            if self._watch is not None:
                await self._watch.stop()

    async def _close_without_init(self) -> None:
        try:
            await asyncio.sleep(self.view.connection_init_wait_timeout.total_seconds())
            if not self.connection_acknowledged:
                await self.websocket.close(code=CLOSE_INIT_TIMEOUT, reason="Connection initialisation timeout")
        except asyncio.CancelledError:
            raise
        except Exception:  # already closed by the client
            log.debug("init timeout on a closed socket", exc_info=True)

    async def handle_message(self, message: Any) -> None:
        problem = legacy_shape_problem(message)
        if problem is not None:
            await self.websocket.close(code=4400, reason=problem)
            return
        kind = message["type"]
        if kind == "connection_init":
            if self._init_received:
                await self.websocket.close(code=CLOSE_TOO_MANY_INITS, reason="Too many initialisation requests")
                return
            self._init_received = True
        elif kind == "start" and self.connection_acknowledged and not await _session_holds(self.context):
            await self.websocket.close(code=CLOSE_SESSION_ENDED, reason=SESSION_ENDED_REASON)
            return
        await super().handle_message(message)
        if kind == "connection_init" and self.connection_acknowledged and self._watch is None:
            self._watch = SessionWatch(self.context, self.websocket)
            self._watch.start()

    async def handle_keep_alive(self) -> None:
        """Strawberry's loop, ending quietly when the socket is gone (its error was never
        retrieved and printed a traceback per socket)."""
        try:
            await super().handle_keep_alive()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.debug("keep-alive ended with the socket", exc_info=True)
