"""Per-operation telemetry: latency and outcome metrics, the log context (request id, user id,
operation) and, with JSON logs, one ``operation`` line with its duration.

Operations are named by their root field (``pay``, ``transactions``), which the schema
bounds; the client's operation name is not used as a label."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextvars import ContextVar, Token
from typing import Any

from graphql import OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from app import runtime
from app.ops import log_context, metrics, tracing

log = logging.getLogger("fenpay.operation")


def _root_field(document: Any) -> tuple[str, str]:
    for definition in getattr(document, "definitions", ()) or ():
        if isinstance(definition, OperationDefinitionNode):
            selections = definition.selection_set.selections
            name = getattr(selections[0], "name", None) if selections else None
            return definition.operation.value, (name.value if name is not None else "unknown")
    return "unknown", "unknown"


def _outcome(result: Any, field: str) -> str:
    if result is None:
        return "OK"
    if getattr(result, "errors", None):
        return "GRAPHQL_ERROR"
    data = getattr(result, "data", None) or {}
    payload = data.get(field) if isinstance(data, dict) else None
    if isinstance(payload, dict):
        errors = payload.get("errors")
        if errors and isinstance(errors[0], dict):
            return str(errors[0].get("code") or "USER_ERROR")
    return "OK"


class OperationTelemetry(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        kind, field = _root_field(self.execution_context.graphql_document)
        tokens: list[Token[Any]] = [
            log_context.request_id.set(getattr(context, "request_id", None) or None),
            log_context.user_id.set(getattr(context, "viewer_id", None)),
            log_context.operation.set(field),
        ]
        operation_name = getattr(self.execution_context, "operation_name", None)
        tracing.annotate(graphql_operation=f"{kind} {field}", **({"graphql_operation_name": operation_name[:100]}
                                                                 if operation_name else {}))
        started = time.perf_counter()
        try:
            yield
        finally:
            if kind != "subscription":  # a subscription's execute is its whole life, not a latency
                elapsed = time.perf_counter() - started
                outcome = _outcome(self.execution_context.result, field)
                metrics.GRAPHQL_SECONDS.labels(kind, field).observe(elapsed)
                metrics.GRAPHQL_OUTCOMES.labels(kind, field, outcome).inc()
                if runtime.settings().log_format == "json":
                    log.info("operation", extra={"duration_ms": round(elapsed * 1000, 2), "outcome": outcome})
            context_vars: tuple[ContextVar[Any], ...] = (log_context.request_id, log_context.user_id,
                                                         log_context.operation)
            for var, token in zip(context_vars, tokens, strict=True):
                try:
                    var.reset(token)
                except ValueError:  # finished in another context (task): nothing of ours to undo there
                    pass
