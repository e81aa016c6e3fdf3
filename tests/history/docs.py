"""GraphQL documents and small helpers shared by the history and refund tests."""

from __future__ import annotations

from typing import Any

from app.ledger.reconcile import reconcile
from tests.harness.graphql import GraphQLClient

TX_FIELDS = """
  id transactionNo type status direction amount channel createdAt completedAt expectedArrivalAt
  counterparty { name account } refundableAmount
"""

STATEMENT = f"""
query Statement($filter: TransactionFilter, $first: Int, $after: String, $last: Int, $before: String) {{
  transactions(filter: $filter, first: $first, after: $after, last: $last, before: $before) {{
    totalCount
    pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
    edges {{ cursor node {{ {TX_FIELDS} }} }}
  }}
}}
"""

WALLET_STATEMENT = f"""
query WalletStatement($filter: TransactionFilter, $first: Int) {{
  viewer {{ account {{ transactions(filter: $filter, first: $first) {{
    totalCount edges {{ node {{ {TX_FIELDS} }} }}
  }} }} }}
}}
"""

MERCHANT_STATEMENT = f"""
query MerchantStatement($filter: TransactionFilter) {{
  viewer {{ merchant {{ account {{ transactions(filter: $filter) {{
    totalCount edges {{ node {{ {TX_FIELDS} }} }}
  }} }} }} }}
}}
"""

REFUND_FIELDS = """
  id refundNo amount reason description status reviewDeadline reviewNote reviewedAt completedAt createdAt overdue
  transaction { transactionNo refundableAmount refunds { refundNo status } }
  refundTransaction { transactionNo type status direction amount channel expectedArrivalAt counterparty { name } }
"""

REQUEST_REFUND = f"""
mutation Request($input: RequestRefundInput!) {{
  requestRefund(input: $input) {{ refund {{ {REFUND_FIELDS} }} errors {{ code message field }} }}
}}
"""

REVIEW_REFUND = f"""
mutation Review($input: ReviewRefundInput!) {{
  reviewRefund(input: $input) {{ refund {{ {REFUND_FIELDS} }} errors {{ code message field }} }}
}}
"""

MY_REFUNDS = f"""
query MyRefunds($first: Int, $after: String) {{
  refunds(first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {REFUND_FIELDS} }} }}
  }}
}}
"""

REVIEW_QUEUE = """
query Queue($first: Int, $after: String) {
  refundReviewQueue(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id refundNo status reviewDeadline overdue } }
  }
}
"""

REFUND_NODE = """
query RefundNode($id: ID!) { node(id: $id) { __typename ... on Refund { refundNo amount status } } }
"""


def rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in data["transactions"]["edges"]]


async def statement(gql: GraphQLClient, token: str, **variables: Any) -> dict[str, Any]:
    return (await gql.ok(STATEMENT, variables, token=token))["transactions"]


async def ask_refund(gql: GraphQLClient, token: str, transaction_no: str, **fields: Any) -> dict[str, Any]:
    payload = {"transactionNo": transaction_no, "reason": "WRONG_AMOUNT", **fields}
    return await gql.mutate(REQUEST_REFUND, {"input": payload}, token=token)


async def decide(gql: GraphQLClient, token: str, refund_id: str, approve: bool, note: str | None = None) -> dict[str, Any]:
    return await gql.mutate(
        REVIEW_REFUND, {"input": {"refundId": refund_id, "approve": approve, "note": note}}, token=token
    )


async def assert_ledger_clean() -> None:
    report = await reconcile()
    assert report.clean, report.breaks
