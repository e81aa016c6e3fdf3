// Merchant console: webhook endpoints (created with the events they want, the signing secret
// shown once, deleted) and the delivery log (status, attempts, last answer, each attempt)
// with replay.

import { h, fill, formatDateTime, add, addFirst } from "../dom.js";
import { t, label } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, fieldError, showException } from "../forms.js";
import { statusBadge } from "../transactions.js";

const EVENT_TYPES = ["ORDER_PAID", "ORDER_CLOSED", "REFUND_SUCCEEDED", "REFUND_FAILED", "PAYOUT_PAID", "PAYOUT_FAILED"];
const ENDPOINT_FIELDS = "id url events enabled disabledAt createdAt";
const DELIVERY_FIELDS = `id eventId eventType status attempts lastResponseStatus nextAttemptAt createdAt
  endpoint { id url } attemptLog { number startedAt durationMs responseStatus error succeeded }`;
const WEBHOOKS = `query MerchantWebhooks($merchantNo: String!) { merchant(merchantNo: $merchantNo) {
  webhookEndpoints { ${ENDPOINT_FIELDS} }
  webhookDeliveries(first: 20) { edges { node { ${DELIVERY_FIELDS} } } } } }`;
const CREATE_ENDPOINT = `mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { endpoint { ${ENDPOINT_FIELDS} } secret ${USER_ERROR} } }`;
const DELETE_ENDPOINT = `mutation DeleteWebhookEndpoint($input: DeleteWebhookEndpointInput!) {
  deleteWebhookEndpoint(input: $input) { ok ${USER_ERROR} } }`;
const REPLAY = `mutation ReplayWebhookDelivery($input: ReplayWebhookDeliveryInput!) {
  replayWebhookDelivery(input: $input) { delivery { ${DELIVERY_FIELDS} } ${USER_ERROR} } }`;

/** The webhooks card of ``merchant`` ({merchantNo}); loads its own data. */
export async function webhooksCard(merchant) {
  const data = await gql(WEBHOOKS, { merchantNo: merchant.merchantNo });
  const endpointList = h("div", { testid: "webhook-endpoints" });
  const secretBox = h("div", { testid: "webhook-secret-box" });
  const deliveryList = h("div", { testid: "webhook-deliveries" });
  // Errors of delete and replay (a wrapper, so the form helpers find the slot inside it).
  const listError = h("div", { testid: "webhook-list-error" }, h("div", { class: "form-error", role: "alert" }));

  const endpointRow = (endpoint) => {
    const row = h("div", { class: "row", testid: "webhook-endpoint", dataset: { enabled: endpoint.enabled ? "yes" : "no" } },
      h("code", {}, endpoint.url), " ",
      endpoint.events.map((e) => label("WebhookEventType", e)).join(" · "), " ",
      endpoint.enabled ? null : h("span", { class: "badge badge-FAILED" }, t("webhooks.disabled")), " ",
      h("button", { type: "button", class: "secondary", testid: "webhook-endpoint-delete", on: { click: async () => {
        try {
          const payload = await mutate("deleteWebhookEndpoint", DELETE_ENDPOINT, { endpointId: endpoint.id });
          if (!succeeded(listError, payload)) return;
          row.remove();
        } catch (error) {
          showException(listError, error);
        }
      } } }, t("webhooks.delete")));
    return row;
  };

  const attemptLine = (attempt) => h("li", { testid: "webhook-attempt", dataset: { succeeded: attempt.succeeded ? "yes" : "no" } },
    `#${attempt.number} ${formatDateTime(attempt.startedAt)} · `,
    attempt.responseStatus === null ? (attempt.error || t("webhooks.noAnswer")) : `HTTP ${attempt.responseStatus}`,
    ` · ${attempt.durationMs} ms`);

  const deliveryRow = (delivery) => {
    const row = h("div", { class: "card inner", testid: "webhook-delivery",
      dataset: { status: delivery.status, attempts: String(delivery.attempts), eventId: delivery.eventId } },
      h("p", {}, h("strong", {}, label("WebhookEventType", delivery.eventType)), " ",
        statusBadge("WebhookDeliveryStatus", delivery.status, "webhook-delivery-status"), " ",
        h("span", { class: "muted" }, `${t("webhooks.attempts")} ${delivery.attempts}`,
          delivery.lastResponseStatus === null ? "" : ` · HTTP ${delivery.lastResponseStatus}`,
          delivery.nextAttemptAt ? ` · ${t("webhooks.nextAttempt")} ${formatDateTime(delivery.nextAttemptAt)}` : ""), " ",
        h("button", { type: "button", class: "secondary", testid: "webhook-replay", on: { click: async () => {
          try {
            const payload = await mutate("replayWebhookDelivery", REPLAY, { deliveryId: delivery.id });
            if (!succeeded(listError, payload)) return;
            row.replaceWith(deliveryRow(payload.delivery));
          } catch (error) {
            showException(listError, error);
          }
        } } }, t("webhooks.replay"))),
      h("p", { class: "muted" }, h("code", {}, delivery.eventId), " → ", delivery.endpoint.url),
      h("ul", { class: "attempts" }, delivery.attemptLog.map(attemptLine)));
    return row;
  };

  fill(endpointList, data.merchant.webhookEndpoints.map(endpointRow));
  fill(deliveryList, data.merchant.webhookDeliveries.edges.map((edge) => deliveryRow(edge.node)));

  const endpointForm = form("webhook-form", async (values, el) => {
    if (!/^https?:\/\/\S+$/.test(values.url)) return fieldError(el, "url", "VALIDATION_FAILED");
    const events = [].concat(values.events || []);
    if (!events.length) return fieldError(el, "events", "VALIDATION_FAILED");
    const payload = await mutate("createWebhookEndpoint", CREATE_ENDPOINT, {
      merchantNo: merchant.merchantNo, url: values.url, events,
    });
    if (!succeeded(el, payload)) return;
    el.querySelector("[name=url]").value = "";  // the chosen events stay for the next endpoint
    addFirst(endpointList, endpointRow(payload.endpoint));
    fill(secretBox, h("div", { class: "notice notice-ok" }, t("webhooks.secretShownOnce"), " ",
      h("code", { testid: "webhook-secret" }, payload.secret)));
  },
    field("url", t("webhooks.url"), { placeholder: "https://shop.example.com/fenpay/webhook" }),
    field("events", t("webhooks.events"), { type: "checkboxes", value: ["ORDER_PAID"],
      options: EVENT_TYPES.map((e) => ({ value: e, label: label("WebhookEventType", e) })) }),
    h("div", { class: "actions" }, submit(t("webhooks.create"), "webhook-submit")));

  const card = h("div", { class: "card", testid: "webhooks" }, h("h2", {}, t("webhooks.title")),
    listError, endpointList, secretBox, endpointForm);
  add(card, h("h3", {}, t("webhooks.deliveries")), deliveryList);
  return card;
}
