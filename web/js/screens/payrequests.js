// Requests to pay / split bills (#/pay-requests): ask people for money (an amount each, or a
// total split evenly, with a note); the parts asked of me arrive live (payRequestsInbox) to pay
// with the payment password or decline; my requests show who paid, live (payRequestUpdates).

import { h, fill, add, formatDateTime } from "../dom.js";
import { t, label } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { field, form, submit, fieldError, succeeded, notice } from "../forms.js";
import { yuan } from "../money.js";
import { live, liveBadge } from "../live.js";
import { amountField, pinField, checkAmount, checkPin, attemptKeys, stepUpRow, stepUpCode, moneyAnswered } from "../payforms.js";

const REQUEST_FIELDS = `id requestNo amount note status createdAt expiresAt requesterName
  items { id amount status settledAt payerName }`;
const ITEM_FIELDS = `id amount status request { requestNo amount note createdAt expiresAt requesterName }`;
const CREATE = `mutation RequestPayment($input: RequestPaymentInput!) {
  requestPayment(input: $input) { payRequest { ${REQUEST_FIELDS} } ${USER_ERROR} }
}`;
const PAY = `mutation PayPayRequest($input: PayPayRequestInput!) {
  payPayRequest(input: $input) { item { id status amount } transaction { transactionNo } account { balance available frozen } ${USER_ERROR} }
}`;
const DECLINE = `mutation DeclinePayRequest($input: DeclinePayRequestInput!) {
  declinePayRequest(input: $input) { item { id status } ${USER_ERROR} }
}`;
const SENT = `query MyPayRequests { myPayRequests { ${REQUEST_FIELDS} } }`;
const INBOX = `subscription PayRequestsInbox { payRequestsInbox { ${ITEM_FIELDS} } }`;
const UPDATES = `subscription PayRequestUpdates($no: String!) { payRequestUpdates(requestNo: $no) { ${REQUEST_FIELDS} } }`;
const MAX_PAYERS = 20;
const WATCHED = 10; // live updates for the latest open requests; older ones show on reload

export default {
  name: "pay-requests",
  title: "nav.payRequests",
  auth: true,
  async render(root) {
    const stops = [];
    const inboxBadge = liveBadge("pr-inbox-live");
    const inbox = h("ul", { class: "tx-list", testid: "pr-inbox" }, h("li", { class: "muted" }, t("common.loading")));
    const sentList = h("ul", { class: "tx-list", testid: "pr-sent" });
    const watched = new Map(); // requestNo -> stop

    const paidNotices = h("div", { testid: "pr-inbox-done" });
    stops.push(live(INBOX, {}, (data) => {
      const items = data.payRequestsInbox;
      fill(inbox, items.length ? items.map((item) => inboxRow(item, paidNotices)) : h("li", { class: "muted", testid: "pr-inbox-empty" }, t("pr.inboxEmpty")));
    }, { badge: inboxBadge }));

    const sentRows = new Map(); // requestNo -> li
    const badges = new Map(); // requestNo -> live badge, moved into each redrawn row
    const showSent = (request) => {
      if (!badges.has(request.requestNo)) badges.set(request.requestNo, liveBadge("pr-sent-live"));
      const row = sentRow(request, badges.get(request.requestNo));
      const old = sentRows.get(request.requestNo);
      if (old) old.replaceWith(row);
      sentRows.set(request.requestNo, row);
      return row;
    };
    const watch = (request) => {
      if (request.status !== "OPEN" || watched.has(request.requestNo) || watched.size >= WATCHED) return;
      const stop = live(UPDATES, { no: request.requestNo }, (data) => showSent(data.payRequestUpdates),
        { badge: badges.get(request.requestNo) });
      watched.set(request.requestNo, stop);
    };
    const loadSent = async () => {
      const data = await gql(SENT);
      sentRows.clear();
      fill(sentList, data.myPayRequests.length ? data.myPayRequests.map(showSent) : h("li", { class: "muted" }, t("pr.sentEmpty")));
      data.myPayRequests.forEach(watch);
    };

    const created = h("div", { testid: "pr-created" });
    const payers = h("div", { class: "payers", testid: "pr-payers" });
    let serial = 0;
    const payerRow = () => {
      serial += 1;
      const row = h("div", { class: "grid2 payer", testid: "pr-payer" },
        field(`payer${serial}`, t("pr.payer", { n: payers.children.length + 1 }), { placeholder: t("pr.payerHint"), testid: "pr-payer-recipient" }),
        h("div", { class: "payer-amount" }, amountField(`payerAmount${serial}`, { label: t("pr.payerAmount") })));
      row.querySelector("input[name^=payerAmount]").dataset.testid = "pr-payer-amount";
      return row;
    };
    add(payers, payerRow());
    const addPayer = h("button", { type: "button", class: "link", testid: "pr-add-payer" }, t("pr.addPayer"));
    addPayer.addEventListener("click", () => {
      if (payers.children.length < MAX_PAYERS) add(payers, payerRow());
      showSplit();
    });
    const totalRow = amountField("total", { label: t("pr.total") });
    const splitChoice = field("split", t("pr.split"), { type: "radio", value: "EVEN",
      options: [{ value: "EVEN", label: t("pr.even") }, { value: "FIXED", label: t("pr.fixed") }] });
    const showSplit = () => {
      const even = splitChoice.querySelector("input:checked").value === "EVEN";
      totalRow.hidden = !even;
      payers.querySelectorAll(".payer-amount").forEach((cell) => (cell.hidden = even));
    };
    splitChoice.addEventListener("change", showSplit);

    const createForm = form("pr-create-form", async (values, el) => {
      const even = values.split === "EVEN";
      const parts = [];
      for (const row of payers.querySelectorAll(".payer")) {
        const recipientInput = row.querySelector("input[name^=payer]:not([name^=payerAmount])");
        const amountInput = row.querySelector("input[name^=payerAmount]");
        const recipient = recipientInput.value.trim();
        const amount = amountInput.value.trim();
        if (!recipient && !amount) continue;
        if (!recipient) return fieldError(el, recipientInput.name, "VALIDATION_FAILED");
        if (!even && !checkAmount(el, amount, amountInput.name)) return;
        parts.push({ recipient, amount: even ? null : amount });
      }
      if (!parts.length) return fieldError(el, payers.querySelector("input").name, "VALIDATION_FAILED");
      if (even && !checkAmount(el, values.total, "total")) return;
      const payload = await mutate("requestPayment", CREATE, { payers: parts, total: even ? values.total : null, note: values.note || null });
      if (!succeeded(el, payload)) return;
      const request = payload.payRequest;
      fill(created, notice(t("pr.created", { count: request.items.length, amount: yuan(request.amount) }), "pr-created-notice"));
      fill(payers);
      add(payers, payerRow());
      showSplit();
      el.querySelector("[name=total]").value = "";
      el.querySelector("[name=note]").value = "";
      await loadSent();
    },
      splitChoice,
      totalRow,
      payers,
      h("div", { class: "actions" }, addPayer),
      field("note", t("pr.note"), { placeholder: t("pr.noteHint"), maxlength: 100 }),
      h("div", { class: "actions" }, submit(t("pr.submit"), "pr-create-submit")));
    showSplit();

    add(root,
      h("div", { class: "card" }, h("h2", {}, t("pr.inbox"), " ", inboxBadge), paidNotices, inbox),
      h("div", { class: "card narrow" }, h("h1", {}, t("pr.title")), createForm, created),
      h("div", { class: "card" }, h("h2", {}, t("pr.sent")), sentList));
    await loadSent();
    return () => {
      stops.forEach((stop) => stop());
      watched.forEach((stop) => stop());
    };
  },
};

/** A part asked of me: pay it with the payment password, or decline it. */
function inboxRow(item, done) {
  const request = item.request;
  const keys = attemptKeys();
  const payForm = form("pr-pay-form", async (values, el, submitter) => {
    if (submitter && submitter.value === "decline") {
      const payload = await mutate("declinePayRequest", DECLINE, { itemId: item.id });
      if (!succeeded(el, payload)) return;
      fill(done, notice(t("pr.declined"), "pr-declined"));
      return; // the inbox push removes the row
    }
    if (!checkPin(el, values.paymentPassword)) return;
    const payload = await mutate("payPayRequest", PAY, {
      itemId: item.id, paymentPassword: values.paymentPassword, verificationCode: stepUpCode(values), idempotencyKey: keys.current(),
    });
    keys.answered();
    if (!moneyAnswered(el, payload)) return;
    fill(done, notice(t("pr.paid", { amount: yuan(payload.item.amount) }), "pr-paid"));
  },
    pinField(),
    stepUpRow(),
    h("div", { class: "actions" },
      submit(t("pr.pay"), "pr-pay-submit", { name: "action", value: "pay" }),
      submit(t("pr.decline"), "pr-decline-submit", { class: "secondary", name: "action", value: "decline" })));
  return h("li", { class: "tx pr-item", testid: "pr-inbox-item", dataset: { requestNo: request.requestNo, itemId: item.id } },
    h("div", { class: "tx-main" },
      h("span", { testid: "pr-requester" }, t("pr.asks", { name: request.requesterName })),
      h("span", { testid: "pr-note" }, request.note || ""),
      h("strong", { testid: "pr-item-amount" }, yuan(item.amount))),
    h("div", { class: "tx-meta muted" }, request.requestNo, " · ", t("pr.expiresAt"), " ", formatDateTime(request.expiresAt)),
    payForm);
}

/** A request I made, with every payer's part and its state. */
function sentRow(request, badge) {
  const paid = request.items.filter((item) => item.status === "PAID").length;
  return h("li", { class: "tx pr-request", testid: "pr-sent-row", dataset: { requestNo: request.requestNo, status: request.status } },
    h("div", { class: "tx-main" },
      h("span", {}, request.note || request.requestNo),
      h("span", { testid: "pr-sent-progress" }, t("pr.progress", { paid, count: request.items.length })),
      h("strong", {}, yuan(request.amount))),
    h("div", { class: "tx-meta muted" }, formatDateTime(request.createdAt), " · ",
      h("span", { class: `badge badge-${request.status}`, testid: "pr-sent-status" }, label("PayRequestStatus", request.status)), " · ",
      t("pr.expiresAt"), " ", formatDateTime(request.expiresAt), " ",
      request.status === "OPEN" ? badge : null),
    h("ul", { class: "pr-parts" }, request.items.map((item) =>
      h("li", { testid: "pr-part", dataset: { status: item.status } },
        h("span", { testid: "pr-part-payer" }, item.payerName), " ", yuan(item.amount), " ",
        h("span", { class: `badge badge-${item.status}`, testid: "pr-part-status" }, label("PayRequestItemStatus", item.status))))));
}
