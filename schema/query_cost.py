"""A cost limit on every operation, computed from the document before anything executes.

Cost of a selection = the sum over its fields (each alias counts) of
``size * (1 + cost of the field's own selection)``, where ``size`` is the field's ``first``
or ``last`` argument (a literal or a variable), the page size a connection uses when neither
is given, and 1 for any other field. So ``transactions(first: 100) { edges { node { a b } } }``
costs 100 * (1 + 1 + 1 + 2) = 500, and thirty aliases of it 15,000. Introspection fields are
counted like any other. Fragments are expanded; fields of inline fragments on different types
are all counted (an upper bound).

An operation over ``max_query_cost`` (settings, ``FENPAY_MAX_QUERY_COST``) is refused with one
GraphQL error whose ``extensions`` carry ``code: QUERY_TOO_COSTLY``, the cost and the limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef
from strawberry.extensions import SchemaExtension

from resolvers.pagination import DEFAULT_PAGE, MAX_PAGE

SIZE_ARGUMENTS = ("first", "last")


class _Coster:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any]):
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def _size(self, node: FieldNode, field_def: Any) -> int:
        sizes = []
        for argument in node.arguments or ():
            if argument.name.value not in SIZE_ARGUMENTS:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                sizes.append(int(value.value))
            elif isinstance(value, VariableNode) and isinstance(self.variables.get(value.name.value), int):
                sizes.append(self.variables[value.name.value])
        if sizes:
            # Pages past MAX_PAGE are refused by the field itself, with a clearer error.
            return min(max(1, max(sizes)), MAX_PAGE)
        if field_def is not None and any(name in field_def.args for name in SIZE_ARGUMENTS):
            return DEFAULT_PAGE
        return 1

    def _field_def(self, parent: Any, name: str) -> Any:
        if name == "__schema":
            return SchemaMetaFieldDef
        if name == "__type":
            return TypeMetaFieldDef
        fields = getattr(parent, "fields", None)
        return fields.get(name) if fields else None

    def selection_cost(self, parent: Any, selection_set: SelectionSetNode | None, seen: frozenset[str] = frozenset()) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                field_def = self._field_def(parent, selection.name.value)
                child_type = get_named_type(field_def.type) if field_def is not None else None
                inner = self.selection_cost(child_type, selection.selection_set, seen)
                total += self._size(selection, field_def) * (1 + inner)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_cost(target, selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value)
                total += self.selection_cost(target, fragment.selection_set, seen | {name})
        return total


def operation_cost(schema: GraphQLSchema, document: Any, variables: dict[str, Any] | None, operation_name: str | None) -> int:
    """The cost (see the module docstring) of the operation that would run; 0 when none matches."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name is not None and o.name.value == operation_name]
    if len(operations) != 1:
        return 0  # execution refuses it anyway
    operation = operations[0]
    root = schema.get_root_type(operation.operation)
    return _Coster(schema, fragments, variables or {}).selection_cost(root, operation.selection_set)


class QueryCostLimit(SchemaExtension):
    """Refuse an operation whose cost passes ``max_cost`` (runs after validation succeeded)."""

    def __init__(self, *, max_cost: int) -> None:
        super().__init__()
        self.max_cost = max_cost

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors == [] and context.graphql_document is not None:
            cost = operation_cost(
                context.schema._schema, context.graphql_document, context.variables, context.operation_name
            )
            if cost > self.max_cost:
                context.pre_execution_errors = [
                    GraphQLError(
                        f"Query cost {cost} exceeds the limit of {self.max_cost}: ask for fewer items"
                        " (first/last), fewer aliases or less nesting",
                        extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "maxCost": self.max_cost},
                    )
                ]
        yield
