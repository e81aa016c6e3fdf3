// How a transaction looks, wherever it is listed.

import { h, formatDateTime } from "./dom.js";
import { t, label } from "./i18n.js";
import { signed, yuan } from "./money.js";

export const TX_FIELDS = `id transactionNo type status direction amount fee channel
  counterparty { name account } description createdAt completedAt expectedArrivalAt
  refundableAmount checkoutUrl`;

export const REFUND_FIELDS = "id refundNo amount reason description status reviewDeadline reviewNote reviewedAt completedAt createdAt";

export function statusBadge(enumName, value, testid) {
  return h("span", { class: `badge badge-${value}`, testid, dataset: { status: value } }, label(enumName, value));
}

const NO_MONEY_MOVED = new Set(["FAILED", "CANCELED"]);

/** The amount of a row: signed and coloured by direction, except money that never moved
 * (a failed or canceled movement), shown unsigned and struck through. */
function amountCell(tx) {
  if (NO_MONEY_MOVED.has(tx.status)) {
    return h("span", { class: "tx-amount tx-amount-void", testid: "tx-amount" }, h("s", {}, yuan(tx.amount)));
  }
  return h("span", { class: `tx-amount dir-${tx.direction}`, testid: "tx-amount" }, signed(tx.amount, tx.direction));
}

/** One line of a transaction list; `extra` is appended (e.g. a details toggle). */
export function transactionRow(tx, extra = null) {
  return h("li", { class: "tx", testid: "tx-row", dataset: { transactionNo: tx.transactionNo, type: tx.type, status: tx.status } },
    h("div", { class: "tx-main" },
      h("span", { class: "tx-type" }, label("TransactionType", tx.type)),
      h("span", { class: "tx-party" }, tx.counterparty ? tx.counterparty.name : tx.description || ""),
      amountCell(tx)),
    h("div", { class: "tx-meta muted" },
      h("span", { testid: "tx-no" }, tx.transactionNo), " · ",
      formatDateTime(tx.createdAt), " · ",
      statusBadge("TransactionStatus", tx.status, "tx-status"),
      tx.fee && tx.fee !== "0.00" ? [" · ", t("tx.fee"), " ", yuan(tx.fee)] : null),
    extra);
}

/** A short summary after a money mutation succeeded. */
export function transactionResult(tx, testid = "tx-result") {
  return h("div", { class: "notice notice-ok", testid, role: "status", dataset: { status: tx.status, transactionNo: tx.transactionNo } },
    h("strong", {}, label("TransactionType", tx.type), " ", label("TransactionStatus", tx.status)), " ",
    yuan(tx.amount), tx.fee && tx.fee !== "0.00" ? ` (${t("tx.fee")} ${yuan(tx.fee)})` : "", " · ",
    t("tx.number"), " ", h("span", { testid: `${testid}-no` }, tx.transactionNo),
    tx.expectedArrivalAt ? [" · ", t("tx.expectedArrival"), " ", formatDateTime(tx.expectedArrivalAt)] : null,
    tx.checkoutUrl ? [" · ", h("a", { href: tx.checkoutUrl, target: "_blank", rel: "noopener", testid: `${testid}-checkout` }, t("tx.checkout"))] : null);
}
