"""The one ``strawberry.Schema``: each domain package contributes ``schema/<domain>/api.py``
(and ``api_<part>.py`` when a domain is served by several modules) with ``Query``, ``Mutation``
and/or ``Subscription`` classes, imported by name below and merged here. A new API module is
added to ``API_MODULES`` (tests/test_registration.py fails when one is missing)."""

from __future__ import annotations

import functools
import logging
from types import ModuleType
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.exceptions import StrawberryGraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
)
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from app.dependency_faults import SERVICE_UNAVAILABLE_MESSAGE, is_dependency_failure
from app.errors import DomainError, ErrorCode

from .context import Info
from .fresh_viewer import FreshViewerPerOperation
from .fx import api as fx_api
from .history import api as history_api
from .history.statement_fastpath import StatementFastPath
from .identity import api as identity_api
from .loaders_scope import LoadersPerOperation
from .merchant_platform import api as merchant_platform_api
from .merchant_platform import api_ops as merchant_platform_api_ops
from .money import api as money_api
from .no_suggestions import NoSuggestions
from .node import Node, resolve_node
from .payments import api as payments_api
from .persisted_queries import CachedParse, CachedValidation, PersistedQueries, PersistedQueryStore
from .query_cost import QueryCostLimit
from .risk import api as risk_api
from .scalars import SCALARS
from .self_service import api as self_service_api
from .social import api as social_api
from .social import api_pay_requests as social_api_pay_requests
from .social import api_suggestions as social_api_suggestions
from .string_bounds import StringBounds
from .support import api as support_api
from .telemetry import OperationTelemetry
from .wealth import api as wealth_api

log = logging.getLogger("fenpay.graphql")

CACHED_DOCUMENTS = 256
# In this order: the order of the operations in schema.graphql.
API_MODULES: tuple[ModuleType, ...] = (
    identity_api,
    money_api,
    payments_api,
    history_api,
    wealth_api,
    support_api,
    risk_api,
    self_service_api,
    merchant_platform_api,
    merchant_platform_api_ops,
    social_api,
    social_api_pay_requests,
    social_api_suggestions,
    fx_api,
)


@strawberry.type
class CoreQuery:
    @strawberry.field(description="Fetch any object by its global id (null when absent or not yours).")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)


def _domain_types(kind: str) -> list[type]:
    """The ``Query``, ``Mutation`` or ``Subscription`` class of each API module that has one."""
    return [getattr(module, kind) for module in API_MODULES if hasattr(module, kind)]


# Errors a client may see: business errors raised in queries, bad requests, and the
# UNAUTHENTICATED/FORBIDDEN errors of the permission classes (StrawberryGraphQLError).
_PUBLIC_ERRORS = (DomainError, PermissionError, StrawberryGraphQLError)


def _should_mask(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None or not error.path:
        # Parse and validation errors (bad literals and variables included) are the client's own.
        return False
    return not isinstance(original, _PUBLIC_ERRORS)


class MaskErrorsSayingUnavailable(MaskErrors):
    """Masks unexpected errors; a failed dependency becomes ``SERVICE_UNAVAILABLE`` (retry), not "Internal error"."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if error.original_error is not None and is_dependency_failure(error.original_error):
            return GraphQLError(
                message=SERVICE_UNAVAILABLE_MESSAGE,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions={"code": ErrorCode.SERVICE_UNAVAILABLE.value},
            )
        return super().anonymise_error(error)


class FenpaySchema(strawberry.Schema):
    persisted_queries: PersistedQueryStore | None = None

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        request_id = ""
        if execution_context is not None and execution_context.context is not None:
            request_id = getattr(execution_context.context, "request_id", "")
        for error in errors:
            if error.original_error is not None and _should_mask(error):
                if is_dependency_failure(error.original_error):
                    log.warning(
                        "request %s: dependency failed in %s (%s)",
                        request_id,
                        ".".join(str(p) for p in (error.path or [])),
                        type(error.original_error).__name__,
                    )
                    continue
                log.error(
                    "request %s: unexpected error in %s",
                    request_id,
                    ".".join(str(p) for p in (error.path or [])),
                    exc_info=error.original_error,
                )


def build_schema(
    *,
    introspection: bool = True,
    max_depth: int = 12,
    max_aliases: int = 30,
    max_tokens: int = 2000,
    max_cost: int = 5000,
    persisted_queries: int = 1024,
) -> strawberry.Schema:
    # The limit rules are built once: the validation cache is keyed by the rule classes, and
    # QueryDepthLimiter/MaxAliasesLimiter would build new classes for every request.
    rules: list[Any] = [max_depth_rule(max_depth, None), max_aliases_rule(max_aliases)]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    # Factories, not instances: strawberry shares an instance among concurrent requests, and
    # MaskErrors would then read another request's result and let raw error messages through.
    # The parse and validation caches are process-wide LRUs (bounded, so unique query texts
    # cannot grow memory): a repeated document is parsed and validated once per process.
    # Persisted queries (APQ) go first: a known hash sets the document, and both caches step
    # aside for it (schema/persisted_queries.py).
    store = PersistedQueryStore(persisted_queries)
    extensions: list[Any] = [
        functools.partial(PersistedQueries, store=store),
        FreshViewerPerOperation,
        LoadersPerOperation,
        OperationTelemetry,
        functools.partial(AddValidationRules, rules),
        functools.partial(MaxTokensLimiter, max_token_count=max_tokens),
        functools.partial(CachedParse, maxsize=CACHED_DOCUMENTS),
        functools.partial(CachedValidation, maxsize=CACHED_DOCUMENTS),
        functools.partial(QueryCostLimit, max_cost=max_cost),  # after validation: fields exist
        StringBounds,
        functools.partial(MaskErrorsSayingUnavailable, should_mask_error=_should_mask, error_message="Internal error"),
        # Last: every check above has run when it answers a planned statement page before
        # graphql-core executes (schema/history/statement_fastpath.py).
        StatementFastPath,
    ]
    if not introspection:
        # First, so its after-validation step runs before the result is built.
        extensions.insert(0, NoSuggestions)
    query = merge_types("Query", (CoreQuery, *_domain_types("Query")))
    mutations = _domain_types("Mutation")
    subscriptions = _domain_types("Subscription")
    built = FenpaySchema(
        query=query,
        mutation=merge_types("Mutation", tuple(mutations)) if mutations else None,
        subscription=merge_types("Subscription", tuple(subscriptions)) if subscriptions else None,
        extensions=extensions,
        config=StrawberryConfig(scalar_map=SCALARS),
    )
    built.persisted_queries = store  # for websocket subscribe messages (app/http/ws_protocol.py)
    return built


schema = build_schema()
