// Transaction history (seed 5.1): filters by time, type, status, amount, number and
// counterparty; Relay paging; details with a refund request; the user's refunds,
// refreshed live when money comes back.

import { h, fill, formatDateTime, add } from "../dom.js";
import { t, label } from "../i18n.js";
import { gql } from "../api.js";
import { field, form, submit, enumOptions, fieldError } from "../forms.js";
import { yuan, isZero } from "../money.js";
import { live, liveBadge } from "../live.js";
import { TX_FIELDS, REFUND_FIELDS, transactionRow, statusBadge } from "../transactions.js";
import { checkAmount } from "../payforms.js";
import { refundForm } from "./refund.js";

const PAGE_SIZE = 10;
const TYPES = ["TOP_UP", "WITHDRAWAL", "PAYMENT", "TRANSFER", "REFUND", "WEALTH_PURCHASE", "WEALTH_REDEMPTION", "WEALTH_INCOME"];
const STATUSES = ["PENDING", "PROCESSING", "SUCCEEDED", "FAILED", "CANCELED"];

const LIST = `query History($filter: TransactionFilter, $first: Int, $after: String, $last: Int, $before: String) {
  transactions(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { ${TX_FIELDS} } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}`;
const DETAIL = `query Transaction($transactionNo: String!) {
  transaction(transactionNo: $transactionNo) { ${TX_FIELDS} refunds { ${REFUND_FIELDS} } }
}`;
const REFUNDS = `query MyRefunds { refunds(first: 20) { edges { node { ${REFUND_FIELDS} transaction { transactionNo } } } totalCount } }`;
const BALANCE_CHANGED = `subscription { balanceChanged { delta transaction { transactionNo type } } }`;

// Date bounds are typed as China wall-clock text ("2026-11-30" or "2026-11-30 08:00"), the same
// in every browser language (a native date picker shows the browser's own format, e.g.
// mm/dd/yyyy in a Chinese page). They are sent without an offset: the API reads an
// offset-free value as China time. A bare "to" date covers that whole day.
const DAY_OR_MINUTE = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}))?$/;

function boundOrNull(text, end) {
  if (!text) return null;
  const match = DAY_OR_MINUTE.exec(text.trim());
  if (!match) return null;
  const [, day, minute] = match;
  if (minute) return `${day}T${minute}:${end ? "59.999" : "00"}`;
  return end ? `${day}T23:59:59.999` : `${day}T00:00:00`;
}

function validBound(text) {
  if (!text) return true;
  const match = DAY_OR_MINUTE.exec(text.trim());
  return Boolean(match) && !Number.isNaN(Date.parse(`${match[1]}T${match[2] || "00:00"}:00Z`));
}

function buildFilter(values) {
  const filter = {
    from: boundOrNull(values.from, false),
    to: boundOrNull(values.to, true),
    types: values.types.length ? values.types : null,
    statuses: values.statuses.length ? values.statuses : null,
    minAmount: values.minAmount || null,
    maxAmount: values.maxAmount || null,
    transactionNo: values.transactionNo || null,
    counterparty: values.counterparty || null,
  };
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== null));
}

export function refundLine(refund) {
  return h("li", { class: "refund", testid: "refund-row", dataset: { refundNo: refund.refundNo, status: refund.status } },
    h("span", {}, refund.refundNo), " · ", yuan(refund.amount), " · ", label("RefundReason", refund.reason), " · ",
    statusBadge("RefundStatus", refund.status, "refund-status"),
    refund.transaction ? h("span", { class: "muted" }, " · ", refund.transaction.transactionNo) : null,
    refund.reviewNote ? h("span", { class: "muted" }, " · ", refund.reviewNote) : null,
    refund.status === "PENDING_REVIEW" ? h("span", { class: "muted" }, " · ", t("refund.deadline"), " ", formatDateTime(refund.reviewDeadline)) : null);
}

export default {
  name: "history",
  title: "nav.history",
  auth: true,
  async render(root, { params }) {
    const list = h("ul", { class: "tx-list", testid: "history-list" });
    const total = h("span", { testid: "history-total" });
    const prev = h("button", { type: "button", class: "secondary", testid: "page-prev", disabled: true }, t("common.prev"));
    const next = h("button", { type: "button", class: "secondary", testid: "page-next", disabled: true }, t("common.next"));
    const refunds = h("ul", { class: "refund-list", testid: "my-refunds" });
    const badge = liveBadge("refunds-live");
    let filter = {};
    let pageInfo = null;

    const load = async (page = { first: PAGE_SIZE }) => {
      const data = await gql(LIST, { filter, ...page });
      const connection = data.transactions;
      pageInfo = connection.pageInfo;
      total.textContent = t("history.total", { count: connection.totalCount });
      // rows whose details are open are kept as they are, so a live refresh never eats a half-filled form
      const open = new Map([...list.querySelectorAll("[data-testid=tx-row]")]
        .filter((li) => li.querySelector("[data-testid=tx-details]:not([hidden])"))
        .map((li) => [li.dataset.transactionNo, li]));
      fill(list, connection.edges.length
        ? connection.edges.map((edge) => open.get(edge.node.transactionNo) || row(edge.node))
        : h("li", { class: "muted", testid: "history-empty" }, t("history.empty")));
      for (const [transactionNo, li] of open) if (li.isConnected) refreshRefundLines(li, transactionNo);
      prev.disabled = !pageInfo.hasPreviousPage;
      next.disabled = !pageInfo.hasNextPage;
    };

    const loadRefunds = async () => {
      try {
        const data = await gql(REFUNDS);
        const rows = data.refunds.edges.map((edge) => refundLine(edge.node));
        fill(refunds, rows.length ? rows : h("li", { class: "muted" }, t("refund.none")));
      } catch {
        fill(refunds, h("li", { class: "muted" }, t("common.unavailable")));
      }
    };

    const row = (tx) => {
      const details = h("div", { class: "tx-details", hidden: true, testid: "tx-details" });
      const toggle = h("button", { type: "button", class: "link", testid: "tx-toggle" }, t("history.details"));
      toggle.addEventListener("click", async () => {
        details.hidden = !details.hidden;
        if (!details.hidden) await drawDetails(details, tx.transactionNo);
      });
      return transactionRow(tx, [toggle, details]);
    };

    /** Bring the refund lines and refundable amount of an open row up to date, leaving its form alone. */
    const refreshRefundLines = async (li, transactionNo) => {
      const data = await gql(DETAIL, { transactionNo }).catch(() => null);
      const tx = data && data.transaction;
      if (!tx) return;
      const refundable = li.querySelector("[data-testid=tx-refundable]");
      if (refundable) refundable.textContent = yuan(tx.refundableAmount);
      const lines = li.querySelector(".tx-details .refund-list");
      if (lines) fill(lines, tx.refunds.map(refundLine));
    };

    const drawDetails = async (box, transactionNo, message = null) => {
      fill(box, t("common.loading"));
      const data = await gql(DETAIL, { transactionNo });
      const tx = data.transaction;
      if (!tx) return fill(box, t("history.notFound"));
      const refundable = tx.direction === "OUT" && tx.type === "PAYMENT" && tx.status === "SUCCEEDED" && !isZero(tx.refundableAmount);
      fill(box,
        message,
        h("dl", { class: "facts" },
          h("dt", {}, t("tx.number")), h("dd", {}, tx.transactionNo),
          h("dt", {}, t("money.channel")), h("dd", {}, label("Channel", tx.channel)),
          h("dt", {}, t("tx.fee")), h("dd", {}, yuan(tx.fee)),
          tx.counterparty ? [h("dt", {}, t("tx.counterparty")), h("dd", {}, tx.counterparty.name, " ", tx.counterparty.account || "")] : null,
          tx.description ? [h("dt", {}, t("tx.description")), h("dd", {}, tx.description)] : null,
          tx.completedAt ? [h("dt", {}, t("tx.completedAt")), h("dd", {}, formatDateTime(tx.completedAt))] : null,
          tx.expectedArrivalAt ? [h("dt", {}, t("tx.expectedArrival")), h("dd", {}, formatDateTime(tx.expectedArrivalAt))] : null,
          tx.type === "PAYMENT" ? [h("dt", {}, t("tx.refundable")), h("dd", { testid: "tx-refundable" }, yuan(tx.refundableAmount))] : null),
        h("ul", { class: "refund-list" }, tx.refunds.map(refundLine)),
        refundable ? refundForm(tx, async (refund, done) => {
          await loadRefunds();
          await drawDetails(box, transactionNo, done);
        }) : null,
        h("a", { href: `#/help/new/${encodeURIComponent(tx.transactionNo)}`, class: "small" }, t("history.complain")));
    };

    const filterForm = form("history-filter", async (values, el) => {
      if (!checkAmount(el, values.minAmount, "minAmount", { optional: true })) return;
      if (!checkAmount(el, values.maxAmount, "maxAmount", { optional: true })) return;
      if (!validBound(values.from)) return fieldError(el, "from", "VALIDATION_FAILED");
      if (!validBound(values.to)) return fieldError(el, "to", "VALIDATION_FAILED");
      if (values.from && values.to && boundOrNull(values.from, false) > boundOrNull(values.to, true)) return fieldError(el, "to", "VALIDATION_FAILED");
      filter = buildFilter(values);
      await load();
    },
      h("div", { class: "grid2" },
        field("from", t("history.from"), { placeholder: t("history.datePlaceholder") }),
        field("to", t("history.to"), { placeholder: t("history.datePlaceholder") })),
      field("types", t("history.types"), { type: "checkboxes", options: enumOptions("TransactionType", TYPES) }),
      field("statuses", t("history.statuses"), { type: "checkboxes", options: enumOptions("TransactionStatus", STATUSES) }),
      h("div", { class: "grid2" },
        field("minAmount", t("history.minAmount"), { inputmode: "decimal" }),
        field("maxAmount", t("history.maxAmount"), { inputmode: "decimal" })),
      h("div", { class: "grid2" },
        field("transactionNo", t("history.transactionNo"), { value: params[0] || "" }),
        field("counterparty", t("history.counterparty"))),
      h("p", { class: "hint" }, t("history.window")),
      h("div", { class: "actions" }, submit(t("history.search"), "history-search"),
        h("button", { type: "reset", class: "secondary", testid: "history-reset" }, t("history.reset"))));
    filterForm.addEventListener("reset", () => setTimeout(() => filterForm.requestSubmit(), 0));

    prev.addEventListener("click", () => pageInfo && load({ last: PAGE_SIZE, before: pageInfo.startCursor }));
    next.addEventListener("click", () => pageInfo && load({ first: PAGE_SIZE, after: pageInfo.endCursor }));

    const stop = live(BALANCE_CHANGED, {}, () => {
      loadRefunds();
      load();
    }, { badge });

    add(root, 
      h("div", { class: "card" }, h("h1", {}, t("history.title")), filterForm),
      h("div", { class: "card" }, h("h2", {}, t("history.results"), " ", total), list, h("div", { class: "pager" }, prev, next)),
      h("div", { class: "card" }, h("h2", {}, t("refund.mine"), " ", badge), refunds));
    if (params[0]) filter = { transactionNo: params[0] };
    await Promise.all([load(), loadRefunds()]);
    return stop;
  },
};
