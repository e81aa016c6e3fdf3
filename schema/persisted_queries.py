"""Automatic persisted queries (Apollo's APQ convention, version 1).

A client sends ``extensions: {persistedQuery: {version: 1, sha256Hash: "<64 hex>"}}`` with or
without ``query``:

- without ``query``, for a hash this process (or, with Redis, another worker) knows: the
  stored document runs as if its text had been sent, and parse and validation are skipped
  (the document was validated, depth and alias limits included, when it was stored);
- without ``query``, for an unknown hash: one GraphQL error, message ``PersistedQueryNotFound``,
  ``extensions.code`` ``PERSISTED_QUERY_NOT_FOUND``; the client sends again with the text;
- with ``query``: the SHA-256 of the text (UTF-8, hex) must equal ``sha256Hash``, otherwise
  ``VALIDATION_FAILED`` with ``field: ["extensions", "persistedQuery", "sha256Hash"]`` and
  nothing runs; the operation runs normally and, when it parsed and validated without
  error, the document is stored under the hash.

Per-request checks that depend on the variables (the query cost limit, string bounds) run
on every request, hit or not. The store is a per-process LRU of ``maxsize`` documents
(``FENPAY_PERSISTED_QUERIES``); with Redis the text is also shared under
``apq:<hash>`` for a day, so one registration serves every worker (each parses and validates
it once). A text is bounded like any request (body size and token limits). A Redis failure
only makes the lookup a miss: the client then sends the text. A websocket ``subscribe`` may
carry the extension too (graphql-transport-ws; ``subscription_text``): an error there is the
protocol's ``error`` message for that id.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, GraphQLError
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache

log = logging.getLogger("fenpay.graphql")

NOT_FOUND_MESSAGE = "PersistedQueryNotFound"
NOT_FOUND_CODE = "PERSISTED_QUERY_NOT_FOUND"
SHARED_TTL_SECONDS = 24 * 3600
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_FIELD = ["extensions", "persistedQuery"]


def sha256_hex(query: str) -> str:
    """The APQ hash of a query text: SHA-256 of its UTF-8 bytes, lowercase hex."""
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredDocument:
    text: str
    document: DocumentNode | None
    """None for a text learnt over a websocket: parsed and validated where it next runs."""


class PersistedQueryStore:
    """Hash -> validated document, a bounded LRU per process (one per schema, so the
    validation rules a document passed are the rules of the schema that runs it)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[str, StoredDocument] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, sha256_hash: str) -> StoredDocument | None:
        entry = self._entries.get(sha256_hash)
        if entry is not None:
            self._entries.move_to_end(sha256_hash)
        return entry

    def put(self, sha256_hash: str, entry: StoredDocument) -> None:
        if self.maxsize <= 0:
            return
        self._entries[sha256_hash] = entry
        self._entries.move_to_end(sha256_hash)
        while len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)


def _shared_kv() -> Any:
    """The Redis-backed key-value store when Redis is configured (None otherwise: the
    in-process store has no other worker to tell and is not bounded by count)."""
    from app import runtime

    try:
        current = runtime.get()
    except RuntimeError:
        return None
    return current.kv if current.settings.redis_url else None


async def _shared_text(sha256_hash: str) -> str | None:
    kv = _shared_kv()
    if kv is None:
        return None
    try:
        return await kv.get(f"apq:{sha256_hash}")  # type: ignore[no-any-return]
    except Exception as exc:  # noqa: BLE001 - a miss: the client sends the text again
        log.warning("persisted query look-up failed (%s): treated as unknown", type(exc).__name__)
        return None


async def _share_text(sha256_hash: str, text: str) -> None:
    kv = _shared_kv()
    if kv is None:
        return
    try:
        await kv.set(f"apq:{sha256_hash}", text, SHARED_TTL_SECONDS)
    except Exception as exc:  # noqa: BLE001 - this worker still knows it
        log.warning("persisted query not shared (%s)", type(exc).__name__)


def _refusal(message: str, field: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "VALIDATION_FAILED", "field": [*_FIELD, field]})


def requested_hash(operation_extensions: dict[str, Any] | None) -> str | None:
    """The ``sha256Hash`` of an APQ request, None when the request is not one; a malformed
    ``persistedQuery`` raises a ``VALIDATION_FAILED`` GraphQLError naming the field."""
    if not operation_extensions or "persistedQuery" not in operation_extensions:
        return None
    persisted = operation_extensions["persistedQuery"]
    if not isinstance(persisted, dict):
        raise GraphQLError(
            "persistedQuery must be an object", extensions={"code": "VALIDATION_FAILED", "field": _FIELD}
        )
    if persisted.get("version") != 1:
        raise _refusal("Only persistedQuery version 1 is supported", "version")
    sha256_hash = persisted.get("sha256Hash")
    if not isinstance(sha256_hash, str) or not _SHA256_HEX.fullmatch(sha256_hash):
        raise _refusal("sha256Hash must be 64 lowercase hexadecimal digits", "sha256Hash")
    return sha256_hash


class PersistedQueries(SchemaExtension):
    """First extension of the schema: resolves a hash to its stored document before parsing."""

    def __init__(self, *, store: PersistedQueryStore) -> None:
        super().__init__()
        self.store = store

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context
        sha256_hash = requested_hash(context.operation_extensions)
        register = False
        if sha256_hash is not None:
            if context.query is None:
                entry = self.store.get(sha256_hash)
                if entry is not None and entry.document is not None:
                    context.query = entry.text
                    context.graphql_document = entry.document
                    context.pre_execution_errors = []  # validated when stored: see CachedValidation
                elif entry is not None:
                    context.query = entry.text
                    register = True
                else:
                    text = await _shared_text(sha256_hash)
                    if text is None or sha256_hex(text) != sha256_hash:
                        raise GraphQLError(NOT_FOUND_MESSAGE, extensions={"code": NOT_FOUND_CODE})
                    context.query = text
                    register = True
            elif sha256_hex(context.query) != sha256_hash:
                raise _refusal("provided sha does not match query", "sha256Hash")
            else:
                register = True
        yield
        if (
            register
            and context.graphql_document is not None
            and context.pre_execution_errors == []
            and context.query is not None
        ):
            known = self.store.get(sha256_hash) is not None  # type: ignore[arg-type]  # (maybe text only)
            self.store.put(sha256_hash, StoredDocument(context.query, context.graphql_document))  # type: ignore[arg-type]
            if not known:
                await _share_text(sha256_hash, context.query)  # type: ignore[arg-type]


async def subscription_text(store: PersistedQueryStore, operation_extensions: Any, query: str | None) -> str:
    """The text a websocket ``subscribe`` runs: its ``query``, or the text of its persisted-query
    hash (same rules and errors as over HTTP). The text then runs through parse, validation and
    every limit as any subscription's does; a text sent with a matching hash is remembered."""
    sha256_hash = requested_hash(operation_extensions if isinstance(operation_extensions, dict) else None)
    if sha256_hash is None:
        if query is None:
            raise GraphQLError("Subscribe query must be a string", extensions={"code": "VALIDATION_FAILED", "field": ["query"]})
        return query
    if query is not None:
        if sha256_hex(query) != sha256_hash:
            raise _refusal("provided sha does not match query", "sha256Hash")
        if store.get(sha256_hash) is None:
            store.put(sha256_hash, StoredDocument(query, None))
            await _share_text(sha256_hash, query)
        return query
    entry = store.get(sha256_hash)
    if entry is not None:
        return entry.text
    text = await _shared_text(sha256_hash)
    if text is None or sha256_hex(text) != sha256_hash:
        raise GraphQLError(NOT_FOUND_MESSAGE, extensions={"code": NOT_FOUND_CODE})
    return text


class CachedParse(ParserCache):
    """strawberry's process-wide parse LRU, skipped when a persisted document is already set.

    A text that does not parse is left to strawberry's own parse step, which runs inside its
    error handling and answers GraphQL's syntax error: raised here, before that step, the error
    escaped it (on a websocket, a traceback in the server's output and a bare ``complete``)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and isinstance(context.query, str):
            with contextlib.suppress(GraphQLError):
                context.graphql_document = self.cached_parse_document(context.query, **context.parse_options)
        yield


class CachedValidation(ValidationCache):
    """strawberry's process-wide validation LRU (its key hashes the whole document tree), skipped
    for a persisted document, which passed these same rules when it was stored."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors == []:
            yield
            return
        yield from super().on_validate()
