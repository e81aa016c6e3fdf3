"""Every string a client sends is bounded before anything executes (issue 17).

Checked for every string in the operation: literal argument values in the document and every
string inside the variables, at any depth of input objects and lists.

- at most ``MAX_TEXT`` characters; identifiers (names ending in ``No``, e.g. ``transactionNo``,
  ``merchantNo``) at most ``MAX_IDENTIFIER``;
- no control characters (U+0000-U+001F, U+007F) except tab, line feed and carriage return in
  free text, and none at all in identifiers.

A string outside these bounds is refused with one GraphQL error whose ``extensions`` carry
``code: VALIDATION_FAILED`` and ``field``, the path of the argument or input field (for
``transfer(input: {recipient: ...})``: ``["input", "recipient"]``). Services keep their own,
tighter rules; this stops oversized and binary text from reaching the database at all (a
5,000-character ``transactionNo`` or a U+0000 in ``merchantNo`` answered "Internal error").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import (
    ArgumentNode,
    GraphQLError,
    ListValueNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    visit,
)
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

MAX_TEXT = 10_000
MAX_IDENTIFIER = 64
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _is_identifier(name: str) -> bool:
    return name.endswith("No")


def string_problem(value: str, name: str) -> str | None:
    """Why ``value`` (of the argument or input field ``name``) is refused, or None."""
    identifier = _is_identifier(name)
    limit = MAX_IDENTIFIER if identifier else MAX_TEXT
    if len(value) > limit:
        return f"{name} must be at most {limit} characters"
    if (_ANY_CONTROL if identifier else _TEXT_CONTROL).search(value):
        return f"{name} must not contain control characters"
    return None


def _walk_json(value: Any, path: list[str]) -> Iterator[tuple[list[str], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk_json(item, [*path, str(key)])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk_json(item, [*path, str(index)])


def _walk_literal(
    node: ValueNode, path: list[str], used_at: dict[str, list[str]]
) -> Iterator[tuple[list[str], str]]:
    if isinstance(node, StringValueNode):
        yield path, node.value
    elif isinstance(node, VariableNode):
        used_at.setdefault(node.name.value, path)
    elif isinstance(node, ObjectValueNode):
        for field in node.fields:
            yield from _walk_literal(field.value, [*path, field.name.value], used_at)
    elif isinstance(node, ListValueNode):
        for index, item in enumerate(node.values):
            yield from _walk_literal(item, [*path, str(index)], used_at)


class _Arguments(Visitor):
    """String literals of every argument, and where each variable is used (its field path)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[list[str], str]] = []
        self.used_at: dict[str, list[str]] = {}

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        self.found.extend(_walk_literal(node.value, [node.name.value], self.used_at))


# The literals and variable uses of recently seen documents, by identity: the parse cache and
# persisted queries hand out the same DocumentNode for a repeated text, and walking it again
# cost ~550-700 Python calls per request. Entries hold their document, so an id is never reused
# while its entry lives; bounded, oldest out first.
_SEEN_MAX = 256
_seen: dict[int, tuple[Any, list[tuple[list[str], str]], dict[str, list[str]]]] = {}


def _document_strings(document: Any) -> tuple[list[tuple[list[str], str]], dict[str, list[str]]]:
    entry = _seen.get(id(document))
    if entry is not None and entry[0] is document:
        return entry[1], entry[2]
    arguments = _Arguments()
    visit(document, arguments)
    _seen[id(document)] = (document, arguments.found, arguments.used_at)
    if len(_seen) > _SEEN_MAX:
        del _seen[next(iter(_seen))]
    return arguments.found, arguments.used_at


def first_problem(document: Any, variables: dict[str, Any] | None) -> tuple[str, list[str]] | None:
    """(message, field path) of the first string out of bounds, or None."""
    found, used_at = _document_strings(document)
    strings = list(found)
    for name, value in (variables or {}).items():
        strings.extend(_walk_json(value, used_at.get(name, [name])))
    for path, value in strings:
        name = next((p for p in reversed(path) if not p.isdigit()), "")
        problem = string_problem(value, name)
        if problem is not None:
            return problem, path
    return None


class StringBounds(SchemaExtension):
    """Refuse an operation carrying a string out of bounds, before it executes."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors == [] and context.graphql_document is not None:
            found = first_problem(context.graphql_document, context.variables)
            if found is not None:
                message, path = found
                context.pre_execution_errors = [
                    GraphQLError(message, extensions={"code": "VALIDATION_FAILED", "field": path})
                ]
        yield
