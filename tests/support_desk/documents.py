"""GraphQL documents and small helpers shared by the customer-service tests."""

from __future__ import annotations

from typing import Any

TICKET_FIELDS = """
  id ticketNo kind subject status createdAt updatedAt
  transaction { transactionNo type direction amount }
  messages { id fromStaff body createdAt }
"""

SUBMIT = f"""
mutation($input: SubmitTicketInput!) {{
  submitTicket(input: $input) {{ ticket {{ {TICKET_FIELDS} }} errors {{ code message field }} }}
}}
"""

REPLY = f"""
mutation($input: ReplyTicketInput!) {{
  replyTicket(input: $input) {{ ticket {{ {TICKET_FIELDS} }} errors {{ code message field }} }}
}}
"""

UPDATE_STATUS = f"""
mutation($input: UpdateTicketStatusInput!) {{
  updateTicketStatus(input: $input) {{ ticket {{ {TICKET_FIELDS} }} errors {{ code message field }} }}
}}
"""

MY_TICKETS = """
query($first: Int, $after: String) {
  myTickets(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id subject status } }
  }
}
"""

STAFF_TICKETS = """
query($status: TicketStatus, $first: Int) {
  tickets(status: $status, first: $first) { totalCount edges { node { id subject status } } }
}
"""

NODE = f"query($id: ID!) {{ node(id: $id) {{ __typename ... on Ticket {{ {TICKET_FIELDS} }} }} }}"

MESSAGES_SUBSCRIPTION = "subscription($id: ID!) { ticketMessages(ticketId: $id) { id fromStaff body createdAt } }"


async def submit(gql: Any, token: str, **fields: Any) -> dict[str, Any]:
    """Submit a ticket (FEEDBACK with a subject and body unless told otherwise); returns the payload."""
    values = {"kind": "FEEDBACK", "subject": "余额显示问题", "body": "充值后余额没有变化", **fields}
    return await gql.mutate(SUBMIT, {"input": values}, token=token)


async def submitted(gql: Any, token: str, **fields: Any) -> dict[str, Any]:
    payload = await submit(gql, token, **fields)
    assert payload["errors"] == [], payload
    return payload["ticket"]


async def set_status(gql: Any, token: str, ticket_id: str, status: str) -> Any:
    """The raw response (FORBIDDEN arrives as a GraphQL error, not a payload)."""
    return await gql(UPDATE_STATUS, {"input": {"ticketId": ticket_id, "status": status}}, token=token)


async def reply(gql: Any, token: str, ticket_id: str, body: str) -> dict[str, Any]:
    return await gql.mutate(REPLY, {"input": {"ticketId": ticket_id, "body": body}}, token=token)
