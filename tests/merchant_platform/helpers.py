"""GraphQL documents and set-up shared by the merchant-platform tests."""

from __future__ import annotations

CREATE_ENDPOINT = """
mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
  endpoint { id url events enabled createdAt } secret errors { code message field } } }"""

DELETE_ENDPOINT = """
mutation($input: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $input) {
  ok errors { code message field } } }"""

REPLAY = """
mutation($input: ReplayWebhookDeliveryInput!) { replayWebhookDelivery(input: $input) {
  delivery { id eventId status attempts lastResponseStatus } errors { code message field } } }"""

DELIVERIES = """
query($no: String!, $status: WebhookDeliveryStatus) { merchant(merchantNo: $no) {
  webhookEndpoints { id url events enabled }
  webhookDeliveries(first: 50, status: $status) { totalCount edges { node {
    id eventId eventType status attempts lastResponseStatus nextAttemptAt payload createdAt
    endpoint { id url }
    attemptLog { number startedAt durationMs responseStatus error succeeded } } } } } }"""

EVENTS = """
query($no: String!, $after: String, $first: Int) { merchant(merchantNo: $no) {
  events(first: $first, after: $after) { edges { cursor node { id type payload createdAt } }
    pageInfo { hasNextPage endCursor } } } }"""

