"""Fresh DataLoaders (``resolvers/loaders.py``) for every operation, and for every event of a
subscription, so nothing one operation loaded is seen by another (a websocket's context is
shared by all the operations on it; each runs in its own task, where the loaders live)."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from resolvers import loaders


class LoadersPerOperation(SchemaExtension):
    """Over HTTP one request, on a websocket one operation: its own loaders. A mutation's do not
    cache (its fields run in turn, each changing what the one before read); a subscription's
    are replaced after every event it sends (the next event is read afresh)."""

    def on_operation(self) -> Iterator[None]:
        loaders.begin_operation()
        yield
        loaders.end_operation()

    def on_execute(self) -> Iterator[None]:
        loaders.begin_operation(cache=self.execution_context.operation_type is not OperationType.MUTATION)
        yield

    def on_stream_result(self, result: object) -> Iterator[None]:
        loaders.begin_operation()
        yield
