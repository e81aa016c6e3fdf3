"""A pre-planned executor for the statement page: ``transactions`` without a field tree per row.

graphql-core resolves and completes every field of every row (about 220 fields and 17,000 Python
calls for a 20-row page). For a document whose operation asks only for the viewer's
``transactions`` (any aliases, fragments, variables and ``__typename``), a plan is made once per
document (by identity, as the parse cache and the persisted-query store hand the same document
back): which response key each row needs and from which column. A request then reads the page
as plain rows in one statement (``resolvers.history.my_statement_rows``) and builds the
response's ``data`` as plain dicts, which the view encodes with orjson.

The answer is the normal executor's, key order included: the leaves are coerced by the schema's
own scalar and enum types, the arguments by graphql-core's and strawberry's own coercion, and the
field's permission classes run as they would. Whatever the plan does not know goes to the normal
executor, unchanged: another root field, a field outside the page's plain ones (``refundableAmount``,
``fx``, ``refunds``), a directive, the counterparty text filter; and so does every request that would
answer an error (anonymous caller, bad variables, cursor or page size, a value a leaf type refuses):
the fast path then leaves no trace and the normal executor answers, errors and all.

The extension runs last in ``on_execute``, so the session check, the cost limit, string bounds,
the persisted-query lookup and telemetry (metrics, log context) apply to both paths alike.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Visitor,
    is_abstract_type,
    visit,
)
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.extensions import SchemaExtension
from strawberry.types.arguments import convert_arguments
from strawberry.types.base import get_object_definition

from app.history import statement_rows as columns
from app.ledger import vocabulary
from resolvers import history as history_resolvers
from resolvers.pagination import encode_cursor

from ..money.types import ChannelEnum, TransactionStatusEnum, TransactionTypeEnum
from ..node import to_global_id
from ..permissions import SIGNED_IN

log = logging.getLogger("fenpay.graphql")

PLANNED_DOCUMENTS = 256
Row = tuple[Any, ...]


class _Fallback(Exception):
    """The normal executor answers this request (a value the plan does not serve as is)."""


# What each object type of the page may select: field -> the object type below it (None: a leaf).
_FIELDS: dict[str, dict[str, str | None]] = {
    "TransactionConnection": {"totalCount": None, "edges": "TransactionEdge", "pageInfo": "PageInfo"},
    "TransactionEdge": {"cursor": None, "node": "Transaction"},
    "PageInfo": {"hasNextPage": None, "hasPreviousPage": None, "startCursor": None, "endCursor": None},
    "Transaction": {
        "id": None, "transactionNo": None, "type": None, "status": None, "direction": None, "amount": None,
        "fee": None, "channel": None, "counterparty": "Counterparty", "description": None, "createdAt": None,
        "completedAt": None, "expectedArrivalAt": None, "checkoutUrl": None,
    },
    "Counterparty": {"name": None, "account": None},
}

# A selection, planned: (response key, field name, the child's plan for an object field).
Selection = tuple[tuple[str, str, Any], ...]


# The row columns (app.history.statement_rows.COLUMNS) each Transaction field reads; every row
# also reads its id (the cursor) and account_id (whose side the viewer is on).
_COLUMNS_OF: dict[str, tuple[str, ...]] = {
    "id": (), "transactionNo": ("transaction_no",), "type": ("type",), "status": ("status",),
    "direction": ("type",), "amount": ("amount",), "fee": ("fee",), "channel": ("channel",),
    "counterparty": ("counterparty_name", "counterparty_ref", "initiator_name", "initiator_ref"),
    "description": ("description",), "createdAt": ("created_at",), "completedAt": ("completed_at",),
    "expectedArrivalAt": ("expected_arrival_at",), "checkoutUrl": ("checkout_url",), "__typename": (),
}


@dataclass(frozen=True, slots=True)
class RootField:
    key: str
    node: FieldNode | None  # None: ``__typename``
    connection: Selection
    used: frozenset[str] = frozenset()
    """The row columns the selection reads."""
    literal: bool = False
    """No variable in the arguments: they are coerced once per plan."""


@dataclass(frozen=True, slots=True)
class Plan:
    operation: OperationDefinitionNode
    root: tuple[RootField, ...]
    arguments: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Root key -> the coerced arguments of a ``literal`` root field, once coerced."""


# -- planning (once per document) ---------------------------------------------------------------


def _applies(schema: GraphQLSchema, condition: str, type_name: str) -> bool:
    if condition == type_name:
        return True
    target = schema.get_type(condition)
    concrete = schema.get_type(type_name)
    return target is not None and is_abstract_type(target) and schema.is_sub_type(target, concrete)  # type: ignore[arg-type]


def _collect(
    schema: GraphQLSchema,
    type_name: str,
    selection_sets: list[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
) -> dict[str, list[FieldNode]] | None:
    """Fields by response key in graphql-core's order (its ``collect_fields``), None when a
    directive or a fragment variable is met (those depend on the request: not planned)."""
    grouped: dict[str, list[FieldNode]] = {}
    visited: set[str] = set()

    def walk(selection_set: SelectionSetNode) -> bool:
        for selection in selection_set.selections:
            if selection.directives:
                return False
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or _applies(schema, condition.name.value, type_name):
                    if not walk(selection.selection_set):
                        return False
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in visited:
                    continue
                visited.add(name)
                fragment = fragments.get(name)
                if fragment is None or fragment.directives or getattr(fragment, "variable_definitions", None):
                    return False
                if _applies(schema, fragment.type_condition.name.value, type_name) and not walk(
                    fragment.selection_set
                ):
                    return False
            else:
                return False
        return True

    for selection_set in selection_sets:
        if not walk(selection_set):
            return None
    return grouped


def _plan_object(
    schema: GraphQLSchema, type_name: str, nodes: list[FieldNode], fragments: dict[str, FragmentDefinitionNode]
) -> Selection | None:
    grouped = _collect(schema, type_name, [n.selection_set for n in nodes if n.selection_set], fragments)
    if grouped is None:
        return None
    known = _FIELDS[type_name]
    planned: list[tuple[str, str, Any]] = []
    for key, group in grouped.items():
        name = group[0].name.value
        if any(n.arguments for n in group):
            return None
        if name == "__typename":
            planned.append((key, name, type_name))
            continue
        if name not in known:
            return None
        child_type = known[name]
        child = None
        if child_type is not None:
            child = _plan_object(schema, child_type, group, fragments)
            if child is None:
                return None
        planned.append((key, name, child))
    return tuple(planned)


def _used_columns(connection: Selection) -> frozenset[str]:
    used = {"id", "account_id"}
    for _, name, edge in connection:
        if name != "edges":
            continue
        for _, edge_field, node in edge:
            if edge_field == "node":
                for _, node_field, _ in node:
                    used.update(_COLUMNS_OF[node_field])
    return frozenset(used)


def _has_variables(node: FieldNode) -> bool:
    found = False

    class _Finder(Visitor):
        def enter_variable(self, *_: Any) -> None:
            nonlocal found
            found = True

    for argument in node.arguments or ():
        visit(argument, _Finder())
    return found


def _operation(document: Any, operation_name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations[0] if len(operations) == 1 else None
    named = [o for o in operations if o.name is not None and o.name.value == operation_name]
    return named[0] if len(named) == 1 else None


def _serves_transactions(strawberry_schema: Any) -> bool:
    """Whether ``Query.transactions`` is still the field this plan answers for (its resolver and
    its permission classes), so a change there sends every request to the normal executor."""
    from .api import Query

    served = strawberry_schema.get_field_for_type("transactions", "Query")
    ours = next(f for f in get_object_definition(Query, strict=True).fields if f.python_name == "transactions")
    return (
        served is not None
        and served.base_resolver is not None
        and ours.base_resolver is not None
        and served.base_resolver.wrapped_func is ours.base_resolver.wrapped_func
        and list(served.permission_classes) == list(SIGNED_IN)
    )


def make_plan(strawberry_schema: Any, document: Any, operation_name: str | None) -> Plan | None:
    """The plan of ``document``'s operation, or None when the fast path does not serve it."""
    schema: GraphQLSchema = strawberry_schema._schema
    operation = _operation(document, operation_name)
    if operation is None or operation.operation != OperationType.QUERY or operation.directives:
        return None
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    query_type = schema.query_type
    if query_type is None:
        return None
    grouped = _collect(schema, query_type.name, [operation.selection_set], fragments)
    if not grouped:
        return None
    root: list[RootField] = []
    for key, group in grouped.items():
        name = group[0].name.value
        if name == "__typename":
            root.append(RootField(key, None, ()))
            continue
        if name != "transactions":
            return None
        connection = _plan_object(schema, "TransactionConnection", group, fragments)
        if connection is None:
            return None
        root.append(RootField(key, group[0], connection, _used_columns(connection), not _has_variables(group[0])))
    if not any(field.node is not None for field in root) or not _serves_transactions(strawberry_schema):
        return None
    return Plan(operation, tuple(root))


class _Plans:
    """Plans by document identity (the entry keeps its document alive, so an id is never reused
    while it is remembered), ``PLANNED_DOCUMENTS`` of them, oldest forgotten first."""

    def __init__(self) -> None:
        self._entries: dict[tuple[int, str | None], tuple[Any, Plan | None]] = {}

    def get(self, strawberry_schema: Any, document: Any, operation_name: str | None) -> Plan | None:
        key = (id(document), operation_name)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is document:
            return entry[1]
        plan = make_plan(strawberry_schema, document, operation_name)
        self._entries[key] = (document, plan)
        if len(self._entries) > PLANNED_DOCUMENTS:
            del self._entries[next(iter(self._entries))]
        return plan


PLANS = _Plans()


# -- answering (per request) --------------------------------------------------------------------


class _Leaves:
    """The schema's own output coercion for each leaf of a row, looked up once per schema."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.money = schema.get_type("Money").coerce_output_value  # type: ignore[union-attr]
        self.datetime = schema.get_type("DateTime").coerce_output_value  # type: ignore[union-attr]
        self._enums = {
            "type": (TransactionTypeEnum, schema.get_type("TransactionType")),
            "status": (TransactionStatusEnum, schema.get_type("TransactionStatus")),
            "channel": (ChannelEnum, schema.get_type("Channel")),
        }
        self._direction_type = schema.get_type("Direction")
        self._memo: dict[tuple[str, Any], Any] = {}

    def enum(self, kind: str, stored: str) -> Any:
        key = (kind, stored)
        if key not in self._memo:
            python_enum, graphql_type = self._enums[kind]
            self._memo[key] = graphql_type.coerce_output_value(python_enum(stored))  # type: ignore[union-attr]
        return self._memo[key]

    def direction(self, stored_type: str, initiator: bool) -> Any:
        key = ("direction", (stored_type, initiator))
        if key not in self._memo:
            value = vocabulary.direction_of(stored_type, initiator=initiator)
            self._memo[key] = self._direction_type.coerce_output_value(value)  # type: ignore[union-attr]
        return self._memo[key]


def _required(value: Any) -> Any:
    if value is None:
        raise _Fallback  # the normal executor answers a null in a non-null field (an error)
    return value


def _text(value: Any) -> Any:
    if value is None or type(value) is str:
        return value
    raise _Fallback


def _node(selection: Selection, row: Row, perspective: int, leaves: _Leaves) -> dict[str, Any]:
    owner_side = perspective == row[columns.ACCOUNT_ID]
    out: dict[str, Any] = {}
    for key, name, child in selection:
        if name == "__typename":
            out[key] = "Transaction"
        elif name == "id":
            out[key] = to_global_id("Transaction", row[columns.ID])
        elif name == "transactionNo":
            out[key] = _required(_text(row[columns.TRANSACTION_NO]))
        elif name == "type":
            out[key] = leaves.enum("type", row[columns.TYPE])
        elif name == "status":
            out[key] = leaves.enum("status", row[columns.STATUS])
        elif name == "channel":
            out[key] = leaves.enum("channel", row[columns.CHANNEL])
        elif name == "direction":
            out[key] = leaves.direction(row[columns.TYPE], owner_side)
        elif name == "amount":
            out[key] = leaves.money(_required(row[columns.AMOUNT]))
        elif name == "fee":
            out[key] = leaves.money(_required(row[columns.FEE]))
        elif name == "createdAt":
            out[key] = leaves.datetime(_required(row[columns.CREATED_AT]))
        elif name == "completedAt":
            value = row[columns.COMPLETED_AT]
            out[key] = None if value is None else leaves.datetime(value)
        elif name == "expectedArrivalAt":
            value = row[columns.EXPECTED_ARRIVAL_AT]
            out[key] = None if value is None else leaves.datetime(value)
        elif name == "description":
            out[key] = _text(row[columns.DESCRIPTION])
        elif name == "checkoutUrl":
            out[key] = _text(row[columns.CHECKOUT_URL]) if owner_side else None
        elif name == "counterparty":
            party_name, ref = (
                (row[columns.COUNTERPARTY_NAME], row[columns.COUNTERPARTY_REF]) if owner_side
                else (row[columns.INITIATOR_NAME], row[columns.INITIATOR_REF])
            )
            out[key] = _counterparty(child, _text(party_name), _text(ref)) if party_name else None
        else:  # pragma: no cover - the planner only admits the names above
            raise _Fallback
    return out


def _counterparty(selection: Selection, name: str, ref: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, wanted, _ in selection:
        out[key] = "Counterparty" if wanted == "__typename" else (name if wanted == "name" else ref)
    return out


def _connection(selection: Selection, page: columns.RowPage, perspective: int, leaves: _Leaves) -> dict[str, Any]:
    cursors = [encode_cursor(row[columns.ID]) for row in page.rows]
    out: dict[str, Any] = {}
    for key, name, child in selection:
        if name == "__typename":
            out[key] = "TransactionConnection"
        elif name == "totalCount":
            out[key] = page.total
        elif name == "pageInfo":
            out[key] = _page_info(child, page, cursors)
        else:  # edges
            out[key] = [_edge(child, row, cursor, perspective, leaves) for row, cursor in zip(page.rows, cursors, strict=True)]
    return out


def _edge(selection: Selection, row: Row, cursor: str, perspective: int, leaves: _Leaves) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, name, child in selection:
        if name == "__typename":
            out[key] = "TransactionEdge"
        elif name == "cursor":
            out[key] = cursor
        else:  # node
            out[key] = _node(child, row, perspective, leaves)
    return out


def _page_info(selection: Selection, page: columns.RowPage, cursors: list[str]) -> dict[str, Any]:
    values = {
        "__typename": "PageInfo",
        "hasNextPage": page.has_next,
        "hasPreviousPage": page.has_previous,
        "startCursor": cursors[0] if cursors else None,
        "endCursor": cursors[-1] if cursors else None,
    }
    return {key: values[name] for key, name, _ in selection}


@dataclass(frozen=True, slots=True)
class _PermissionInfo:
    """What the permission classes read of strawberry's ``Info``: the context."""

    context: Any


class _Runner:
    """Per schema: the field definitions and coercions a plan runs with."""

    def __init__(self, strawberry_schema: Any) -> None:
        self.strawberry_schema = strawberry_schema
        self.schema: GraphQLSchema = strawberry_schema._schema
        query_type = self.schema.query_type
        assert query_type is not None
        self.field_def = query_type.fields["transactions"]
        self.field = strawberry_schema.get_field_for_type("transactions", "Query")
        self.leaves = _Leaves(self.schema)

    def _arguments(self, plan: Plan, root: RootField, coerced: Any) -> dict[str, Any]:
        """The field's arguments as its resolver receives them (graphql-core's and strawberry's
        coercion), once per plan for a root field without variables."""
        known = plan.arguments.get(root.key) if root.literal else None
        if known is not None:
            return known
        raw = get_argument_values(self.field_def, root.node, coerced)  # type: ignore[arg-type]
        kwargs = convert_arguments(
            raw,
            self.field.arguments,
            scalar_registry=self.strawberry_schema.schema_converter.scalar_registry,
            config=self.strawberry_schema.config,
        )
        if root.literal:
            plan.arguments[root.key] = kwargs
        return kwargs

    async def answer(self, plan: Plan, context: Any, variables: dict[str, Any] | None) -> dict[str, Any] | None:
        """``data`` for the request, or None: the normal executor answers it."""
        coerced: Any = None
        if plan.operation.variable_definitions:
            coerced = get_variable_values(self.schema, plan.operation.variable_definitions, variables or {})
            if isinstance(coerced, list):
                return None  # the variables' errors are the normal executor's to report
        data: dict[str, Any] = {}
        for root in plan.root:
            if root.node is None:
                data[root.key] = self.schema.query_type.name  # type: ignore[union-attr]
                continue
            kwargs = self._arguments(plan, root, coerced)
            info = _PermissionInfo(context)
            for permission in self.field.permission_classes:
                if not await permission().has_permission(None, info, **kwargs):
                    return None
            found = await history_resolvers.my_statement_rows(
                context,
                kwargs.get("filter"),
                first=kwargs.get("first"),
                after=kwargs.get("after"),
                last=kwargs.get("last"),
                before=kwargs.get("before"),
                used=root.used,
            )
            if found is None:
                return None
            wallet_id, page = found
            data[root.key] = _connection(root.connection, page, wallet_id, self.leaves)
        return data


_RUNNERS: dict[int, tuple[Any, _Runner]] = {}


def _runner(strawberry_schema: Any) -> _Runner:
    entry = _RUNNERS.get(id(strawberry_schema))
    if entry is None or entry[0] is not strawberry_schema:
        entry = (strawberry_schema, _Runner(strawberry_schema))
        _RUNNERS[id(strawberry_schema)] = entry
    return entry[1]


async def fast_answer(execution_context: Any) -> dict[str, Any] | None:
    """The statement page's ``data`` when the fast path serves this operation, else None."""
    document = execution_context.graphql_document
    if document is None or execution_context.result is not None:
        return None
    strawberry_schema = execution_context.schema
    plan = PLANS.get(strawberry_schema, document, execution_context.operation_name)
    if plan is None:
        return None
    try:
        return await _runner(strawberry_schema).answer(plan, execution_context.context, execution_context.variables)
    except Exception as exc:  # noqa: BLE001 - the normal executor answers it (errors and all)
        log.debug("statement fast path stepped aside: %s", type(exc).__name__)
        return None


class StatementFastPath(SchemaExtension):
    """Last extension: answers a planned statement page before graphql-core executes it."""

    async def on_execute(self) -> AsyncIterator[None]:
        data = await fast_answer(self.execution_context)
        if data is not None:
            self.execution_context.result = ExecutionResult(data=data, errors=None)
        yield

