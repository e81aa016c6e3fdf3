// Merchant console: API keys (created with the payment password, the whole key shown once,
// revoked at once), the fee rate, orders with their status live (orderStatus) and merchant
// refunds of paid orders; webhook endpoints and deliveries, the daily statement and payouts
// (web/js/merchant/).

import { h, fill, formatDateTime, add, addFirst } from "../dom.js";
import { t, label } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, fieldError, notice } from "../forms.js";
import { yuan } from "../money.js";
import { live, liveBadge } from "../live.js";
import { amountField, checkAmount, pinField, checkPin } from "../payforms.js";
import { statusBadge } from "../transactions.js";
import { webhooksCard } from "../merchant/webhooks.js";
import { statementCard } from "../merchant/statement.js";
import { payoutsCard } from "../merchant/payouts.js";

const SCOPES = ["ORDERS", "REFUNDS", "STATEMENTS", "PAYOUTS", "WEBHOOKS"];
const KEY_FIELDS = "id name prefix scopes createdAt lastUsedAt revokedAt";
const ORDER_FIELDS = "id outTradeNo amount description status qrPayload fee refundedAmount paidAt createdAt";
// The payer's refund requests against an order (reviewed by staff), as the merchant sees them.
const REQUEST_FIELDS = "refundNo amount reason status createdAt";
const MERCHANTS = `query MyMerchants { myMerchants { id merchantNo name feeRateBps apiKeys { ${KEY_FIELDS} }
  orders(first: 20) { edges { node { ${ORDER_FIELDS} refundRequests { ${REQUEST_FIELDS} } } } } } }`;
const CREATE_KEY = `mutation CreateMerchantApiKey($input: CreateMerchantApiKeyInput!) {
  createMerchantApiKey(input: $input) { apiKey { ${KEY_FIELDS} } secret ${USER_ERROR} } }`;
const REVOKE_KEY = `mutation RevokeMerchantApiKey($input: RevokeMerchantApiKeyInput!) {
  revokeMerchantApiKey(input: $input) { apiKey { ${KEY_FIELDS} } ${USER_ERROR} } }`;
const CREATE_ORDER = `mutation CreateOrder($input: CreateOrderInput!) { createOrder(input: $input) { order { ${ORDER_FIELDS} } ${USER_ERROR} } }`;
const REFUND = `mutation RefundOrder($input: RefundOrderInput!) {
  refundOrder(input: $input) { refund { id outRefundNo amount status order { ${ORDER_FIELDS} } } ${USER_ERROR} } }`;
const STATUS = `subscription OrderStatus($outTradeNo: String!, $merchantNo: String) {
  orderStatus(outTradeNo: $outTradeNo, merchantNo: $merchantNo) { ${ORDER_FIELDS} } }`;

/** Basis points as a percentage text with two decimals (60 -> "0.60%"), without float arithmetic. */
function percentOfBps(bps) {
  const digits = String(bps).padStart(3, "0");
  return `${digits.slice(0, -2)}.${digits.slice(-2)}%`;
}

export default {
  name: "merchant-api",
  title: "nav.merchantApi",
  auth: true,
  roles: ["MERCHANT"],
  async render(root, { app }) {
    const data = await gql(MERCHANTS);
    const merchant = data.myMerchants[0];
    if (!merchant) {
      add(root, h("div", { class: "card" }, h("h1", {}, t("merchantApi.title")), h("p", {}, t("merchant.none"))));
      return null;
    }
    const stops = [];
    const keyList = h("div", { testid: "api-keys" });
    const secretBox = h("div", { testid: "api-key-secret-box" });
    const orderList = h("div", { testid: "orders" });

    const keyRow = (key) => {
      const row = h("div", { class: "row", testid: "api-key", dataset: { prefix: key.prefix, revoked: key.revokedAt ? "yes" : "no" } },
        h("strong", {}, key.name), " ", h("code", {}, `${key.prefix}…`), " ",
        key.scopes.map((s) => label("ApiKeyScope", s)).join(" · "), " ",
        h("span", { class: "muted" }, key.lastUsedAt ? `${t("merchantApi.lastUsed")} ${formatDateTime(key.lastUsedAt)}` : t("merchantApi.neverUsed")),
        " ",
        key.revokedAt ? h("span", { class: "badge" }, t("merchantApi.revoked"))
          : h("button", { type: "button", class: "secondary", testid: "api-key-revoke", on: { click: async () => {
            const payload = await mutate("revokeMerchantApiKey", REVOKE_KEY, { apiKeyId: key.id });
            if (!payload.errors.length) row.replaceWith(keyRow(payload.apiKey));
          } } }, t("merchantApi.revoke")));
      return row;
    };
    fill(keyList, merchant.apiKeys.map(keyRow));

    const keyForm = form("api-key-form", async (values, el) => {
      if (!values.name) return fieldError(el, "name", "VALIDATION_FAILED");
      const scopes = [].concat(values.scopes || []);
      if (!scopes.length) return fieldError(el, "scopes", "VALIDATION_FAILED");
      if (!checkPin(el, values.paymentPassword)) return;
      const payload = await mutate("createMerchantApiKey", CREATE_KEY, {
        merchantNo: merchant.merchantNo, name: values.name, scopes, paymentPassword: values.paymentPassword,
      });
      if (!succeeded(el, payload)) return;
      el.reset();
      addFirst(keyList, keyRow(payload.apiKey));
      fill(secretBox, h("div", { class: "notice notice-ok" }, t("merchantApi.shownOnce"), " ",
        h("code", { testid: "api-key-secret" }, payload.secret)));
    },
      field("name", t("merchantApi.keyName")),
      field("scopes", t("merchantApi.scopes"), { type: "checkboxes", value: ["ORDERS"],
        options: SCOPES.map((s) => ({ value: s, label: label("ApiKeyScope", s) })) }),
      pinField(),
      h("div", { class: "actions" }, submit(t("merchantApi.createKey"), "api-key-submit")));

    const orderRow = (order) => {
      const badge = liveBadge("order-live");
      const status = h("span", {});
      const details = h("span", {});
      const refundBox = h("div", {});
      const requests = (order.refundRequests || []).map((request) => h("li", {
        testid: "order-refund-request", dataset: { refundNo: request.refundNo, status: request.status } },
        `${t("merchantApi.refundRequest")} ${request.refundNo} · ${yuan(request.amount)} · ${label("RefundReason", request.reason)} `,
        statusBadge("RefundStatus", request.status), ` · ${formatDateTime(request.createdAt)}`));
      const row = h("div", { class: "card inner", testid: "order", dataset: { outTradeNo: order.outTradeNo } },
        h("p", {}, h("strong", {}, order.outTradeNo), " · ", yuan(order.amount), " ", status, " ", badge, " ", details),
        requests.length ? h("ul", { class: "refund-requests" }, requests) : null,
        refundBox);
      const draw = (current) => {
        row.dataset.status = current.status;
        fill(status, statusBadge("OrderStatus", current.status, "order-status"));
        fill(details, current.status === "PAID"
          ? `${t("merchantApi.fee")} ${yuan(current.fee)} · ${t("merchantApi.refunded")} ${yuan(current.refundedAmount)}` : "");
        if (current.status === "PAID" && !refundBox.firstChild) add(refundBox, refundForm(current, draw));
      };
      draw(order);
      if (order.status === "CREATED" || order.status === "AWAITING_CONFIRMATION") {
        stops.push(live(STATUS, { outTradeNo: order.outTradeNo, merchantNo: merchant.merchantNo },
          (event) => draw(event.orderStatus), { badge }));
      }
      return row;
    };

    const refundForm = (order, draw) => form("order-refund-form", async (values, el) => {
      if (!checkAmount(el, values.amount)) return;
      if (!values.outRefundNo) return fieldError(el, "outRefundNo", "VALIDATION_FAILED");
      const payload = await mutate("refundOrder", REFUND, {
        merchantNo: merchant.merchantNo, outTradeNo: order.outTradeNo, outRefundNo: values.outRefundNo,
        amount: values.amount, reason: values.reason || null,
      });
      if (!succeeded(el, payload)) return;
      el.reset();
      draw(payload.refund.order);
      addFirst(el, notice(t("merchantApi.refundDone", { amount: yuan(payload.refund.amount) }), "order-refund-done"));
    },
      field("outRefundNo", t("merchantApi.outRefundNo"), { value: `R${Date.now()}` }),
      amountField("amount"),
      field("reason", t("merchantApi.reason"), { placeholder: t("common.optional") }),
      h("div", { class: "actions" }, submit(t("merchantApi.refund"), "order-refund-submit")));

    fill(orderList, data.myMerchants[0].orders.edges.map((edge) => orderRow(edge.node)));

    const orderForm = form("order-form", async (values, el) => {
      if (!values.outTradeNo) return fieldError(el, "outTradeNo", "VALIDATION_FAILED");
      if (!checkAmount(el, values.amount)) return;
      const payload = await mutate("createOrder", CREATE_ORDER, {
        merchantNo: merchant.merchantNo, outTradeNo: values.outTradeNo, amount: values.amount,
        description: values.description || null,
      });
      if (!succeeded(el, payload)) return;
      el.reset();
      addFirst(orderList, orderRow(payload.order));
      add(el, h("details", { open: true }, h("summary", {}, t("merchant.payload")),
        h("code", { class: "payload", testid: "order-payload" }, payload.order.qrPayload)));
    },
      field("outTradeNo", t("merchantApi.outTradeNo"), { value: `O${Date.now()}` }),
      amountField("amount"),
      field("description", t("merchant.description"), { placeholder: t("common.optional") }),
      h("div", { class: "actions" }, submit(t("merchantApi.createOrder"), "order-submit")));

    add(root, 
      h("div", { class: "card" }, h("h1", {}, t("merchantApi.title"), " · ", merchant.name),
        h("p", { class: "muted" }, t("merchant.no"), " ", merchant.merchantNo, " · ",
          t("merchantApi.feeRate"), " ", h("span", { testid: "fee-rate" }, percentOfBps(merchant.feeRateBps)))),
      h("div", { class: "card" }, h("h2", {}, t("merchantApi.keys")), keyList, secretBox, keyForm),
      h("div", { class: "card" }, h("h2", {}, t("merchantApi.orders")), orderForm, orderList),
      await webhooksCard(merchant),
      statementCard(merchant),
      await payoutsCard(merchant, app.viewer));
    return () => stops.forEach((stop) => stop());
  },
};
