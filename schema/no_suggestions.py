"""No "Did you mean 'viewer'?" hints when introspection is off: they hand out the schema
one guess at a time (issue 17). Validation and variable errors keep the rest of their text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def strip_suggestions(errors: Iterable[GraphQLError] | None) -> None:
    for error in errors or ():
        if "Did you mean" in error.message:
            error.message = _SUGGESTION.sub("", error.message)


class NoSuggestions(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        yield
        strip_suggestions(self.execution_context.pre_execution_errors)

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        strip_suggestions(getattr(result, "errors", None))
        strip_suggestions(self.execution_context.pre_execution_errors)
