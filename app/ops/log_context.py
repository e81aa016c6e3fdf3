"""What every log line of a request may carry: request id, user id, operation (context vars,
so concurrent requests on one event loop never mix them up). Never a phone number or name."""

from __future__ import annotations

import logging
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("fenpay_request_id", default=None)
user_id: ContextVar[int | None] = ContextVar("fenpay_user_id", default=None)
operation: ContextVar[str | None] = ContextVar("fenpay_operation", default=None)


class RequestContextFilter(logging.Filter):
    """Adds ``request_id``, ``user_id`` and ``operation`` to every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.user_id = user_id.get()
        record.operation = operation.get()
        from .tracing import current_trace_id

        record.trace_id = current_trace_id()
        return True
