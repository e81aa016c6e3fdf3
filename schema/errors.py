"""UserError, the error-code enum, and the decorator that turns domain errors into payloads."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry

from app.dependency_faults import is_dependency_failure, service_unavailable
from app.errors import DomainError, Forbidden
from app.errors import ErrorCode as DomainErrorCode

log = logging.getLogger("fenpay.graphql")

strawberry.enum(DomainErrorCode, name="ErrorCode")  # the domain enum, served as GraphQL enum ErrorCode
ErrorCode = DomainErrorCode


def _extensions(self: DomainError) -> dict[str, object]:
    """``{"code", "field"?}``: read by graphql-core when a domain error surfaces as a GraphQL
    error (raised in a query or subscription, or a ``Forbidden`` anywhere)."""
    data: dict[str, object] = {"code": self.code.value}
    if self.field:
        data["field"] = list(self.field)
    return data


# The API's view of the domain errors, attached here so app/ holds no GraphQL.
DomainError.extensions = property(_extensions)  # type: ignore[attr-defined]


@strawberry.type
class UserError:
    code: ErrorCode
    message: str
    field: list[str] | None = strawberry.field(
        default=None, description='Path to the input field at fault, e.g. ["input", "amount"].'
    )

    @classmethod
    def from_domain(cls, error: DomainError) -> UserError:
        return cls(code=error.code, message=error.message, field=list(error.field) if error.field else None)

    @classmethod
    def all_from_domain(cls, error: DomainError) -> list[UserError]:
        """Every error ``error`` carries (several for app.errors.FieldErrors), in input order."""
        return [cls.from_domain(each) for each in getattr(error, "errors", None) or [error]]


P = TypeVar("P")


def returns_payload(payload: type[P], **defaults: Any) -> Callable[[Callable[..., Awaitable[P]]], Callable[..., Awaitable[P]]]:
    """Wrap a mutation so a ``DomainError`` becomes ``payload(errors=[...], **defaults)``.

    A failed dependency (database connection ended, broker or store unreachable) becomes
    ``SERVICE_UNAVAILABLE``: nothing of the request committed, so the client retries with
    the same idempotency key. The wrapped function returns the success payload (with ``errors=[]``).
    """

    def decorate(func: Callable[..., Awaitable[P]]) -> Callable[..., Awaitable[P]]:
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> P:
            try:
                return await func(*args, **kwargs)
            except Forbidden:
                raise  # not a form error: a GraphQL error with code FORBIDDEN
            except DomainError as error:
                return payload(errors=UserError.all_from_domain(error), **defaults)  # type: ignore[call-arg]
            except Exception as error:
                if not is_dependency_failure(error):
                    raise
                log.warning("%s: dependency failed (%s: %s)", func.__name__, type(error).__name__, error)
                unavailable = UserError.from_domain(service_unavailable())
                return payload(errors=[unavailable], **defaults)  # type: ignore[call-arg]

        return wrapper

    return decorate


@strawberry.type
class OkPayload:
    """The payload of mutations that only succeed or fail."""

    ok: bool = False
    errors: list[UserError] = strawberry.field(default_factory=list)
