"""Reload the viewer for every operation on a websocket.

Over HTTP the context, and so the viewer, lives for one request. A websocket's context lives
as long as the connection, so without this a mutation sent over it would see the user as they
were when the socket opened (status, roles, payment-password lock). The money services rely on
the viewer being loaded during the current operation and do not reload it themselves."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension


class FreshViewerPerOperation(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if getattr(context, "is_websocket", False):
            context.forget_viewer()
        yield
