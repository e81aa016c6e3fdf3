"""The Relay ``Node`` interface, opaque global ids, and the ``node(id)`` registry.

Each domain registers a loader per type name; a loader returns the object only
when the viewer may see it (owner or staff as the type requires), else None.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable

import strawberry

from .context import Info

NodeLoader = Callable[[Info, int], Awaitable["Node | None"]]
"""``(info, primary key) -> the object, or None when absent or not the viewer's to see``."""
_LOADERS: dict[str, NodeLoader] = {}


@strawberry.interface
class Node:
    id: strawberry.ID


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("="))


MAX_PRIMARY_KEY = 2**63 - 1


def from_global_id(global_id: str, expected_type: str | None = None) -> int | None:
    """The primary key inside ``global_id``, or None if malformed or of another type."""
    try:
        raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
        type_name, _, pk = raw.partition(":")
        if expected_type is not None and type_name != expected_type:
            return None
        value = int(pk)
        # Primary keys are BIGINT: anything outside 1..2**63-1 names nothing (and would overflow
        # the database driver instead of answering "not found").
        return value if 0 < value <= MAX_PRIMARY_KEY else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def type_of_global_id(global_id: str) -> str | None:
    try:
        raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return raw.partition(":")[0] or None


def register_node(type_name: str) -> Callable[[NodeLoader], NodeLoader]:
    def decorate(loader: NodeLoader) -> NodeLoader:
        _LOADERS[type_name] = loader
        return loader

    return decorate


async def resolve_node(info: Info, global_id: str) -> Node | None:
    type_name = type_of_global_id(global_id)
    loader = _LOADERS.get(type_name or "")
    pk = from_global_id(global_id, type_name)
    if loader is None or pk is None:
        return None
    return await loader(info, pk)
