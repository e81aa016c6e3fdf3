"""OpenTelemetry traces: off by default (nothing imported, no cost); on when
``FENPAY_OTEL_ENDPOINT`` names an OTLP/HTTP collector (e.g. ``http://collector:4318/v1/traces``).

When on, each process gets a tracer provider exporting in batches, the asyncpg driver and the
Redis client are instrumented (a span per SQL statement and per Redis command), the ASGI app
is wrapped (a span per HTTP request and websocket), and GraphQL operations add their root
field and operation name to the request span (schema/telemetry.py). Log lines carry the trace
id (app/ops/log_context.py).
"""

from __future__ import annotations

from typing import Any

_enabled = False


def enabled() -> bool:
    return _enabled


def configure(endpoint: str | None, service_name: str = "fenpay", *, exporter: Any = None) -> bool:
    """Start tracing once per process; ``exporter`` replaces OTLP (tests use an in-memory one).
    Returns whether tracing is on."""
    global _enabled
    if _enabled:
        return True
    if exporter is None and not endpoint:
        return False
    try:
        from opentelemetry import trace
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
        from opentelemetry.instrumentation.redis import RedisInstrumentor
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    except ImportError as exc:
        from ..settings import ConfigurationError

        raise ConfigurationError(
            "FENPAY_OTEL_ENDPOINT is set but OpenTelemetry is not installed: pip install -e '.[otel]'"
        ) from exc

    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    AsyncPGInstrumentor().instrument(tracer_provider=provider)
    RedisInstrumentor().instrument(tracer_provider=provider)
    _enabled = True
    return True


def wrap_asgi(app: Any) -> Any:
    """The app inside OpenTelemetry's ASGI middleware when tracing is on, else the app itself."""
    if not _enabled:
        return app
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    return OpenTelemetryMiddleware(app, excluded_urls="/health,/metrics")


def annotate(**attributes: str | int) -> None:
    """Put attributes (e.g. ``fenpay.transaction_no``) on the current span, when tracing is on."""
    if not _enabled:
        return
    from opentelemetry import trace

    span = trace.get_current_span()
    if span.is_recording():
        for key, value in attributes.items():
            span.set_attribute(f"fenpay.{key}", value)


def current_trace_id() -> str | None:
    if not _enabled:
        return None
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    return f"{context.trace_id:032x}" if context.is_valid else None
