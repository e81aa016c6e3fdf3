"""The typed GraphQL context: the request context plus what Strawberry hands over."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strawberry.types import Info as StrawberryInfo

from resolvers.context import RequestContext


@dataclass
class Context(RequestContext):
    request: Any = None
    response: Any = None
    connection_params: dict[str, Any] | None = field(default=None)
    is_websocket: bool = False


Info = StrawberryInfo[Context, None]
