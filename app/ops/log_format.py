"""Log format: plain text for a terminal (default) or one JSON object per line
(``FENPAY_LOG_FORMAT=json``) with ``time``, ``level``, ``logger``, ``message``, ``request_id``,
``user_id``, ``operation``, ``trace_id`` (with tracing on) and, on operation lines, ``duration_ms`` and ``outcome``.
Redaction (app/ops/log_redaction.py) applies to both: it rewrites records as they are made."""

from __future__ import annotations

from typing import Any

JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s %(operation)s %(trace_id)s"
FORMATTER = "pythonjsonlogger.json.JsonFormatter"
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}


def uvicorn_log_config(log_format: str) -> dict[str, Any] | None:
    """The ``log_config`` for uvicorn (None keeps uvicorn's own text format)."""
    if log_format != "json":
        return None
    formatter = {"()": FORMATTER, "fmt": JSON_FIELDS, "rename_fields": RENAMED, "timestamp": False}
    handler = {"class": "logging.StreamHandler", "formatter": "json", "filters": ["context"],
               "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "app.ops.log_context.RequestContextFilter"}},
        "formatters": {"json": formatter},
        "handlers": {"default": handler, "access": {**handler, "stream": "ext://sys.stdout"}},
        "loggers": {
            "": {"handlers": ["default"], "level": "INFO"},
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }


def configure_root(log_format: str) -> None:
    """For commands other than ``serve`` (worker, jobs): the same format on the root logger."""
    import logging.config

    config = uvicorn_log_config(log_format)
    if config is not None:
        logging.config.dictConfig(config)
    elif not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
