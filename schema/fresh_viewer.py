"""Reload the viewer for every operation on a websocket.

Over HTTP the context, and so the viewer, lives for one request. A websocket's context lives
as long as the connection, so without this a mutation sent over it would see the user as they
were when the socket opened (status, roles, payment-password lock). The money services rely on
the viewer being loaded during the current operation and do not reload it themselves."""

from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension


class FreshViewerPerOperation(SchemaExtension):
    """Also the session check: every operation re-decodes the access token and asks whether
    its sign-in is still live (``RequestContext.authenticate``)."""

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        authenticate = getattr(context, "authenticate", None)
        if authenticate is not None:
            await authenticate()
        yield
