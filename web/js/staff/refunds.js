// Refund review queue (seed 5.2): approve or reject with a note, before the deadline.

import { h, fill, formatDateTime, add } from "../dom.js";
import { t, label } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, notice } from "../forms.js";
import { yuan } from "../money.js";
import { REFUND_FIELDS, statusBadge } from "../transactions.js";

const QUEUE = `query RefundQueue($after: String) {
  refundReviewQueue(first: 20, after: $after) {
    edges { node { ${REFUND_FIELDS} transaction { transactionNo type amount channel createdAt counterparty { name account } } } }
    pageInfo { hasNextPage endCursor } totalCount
  }
}`;
const REVIEW = `mutation ReviewRefund($input: ReviewRefundInput!) { reviewRefund(input: $input) { refund { ${REFUND_FIELDS} } ${USER_ERROR} } }`;

export default {
  name: "refunds",
  title: "staff.refunds",
  roles: ["SUPPORT", "ADMIN"],
  async render(root) {
    const list = h("ul", { class: "queue", testid: "refund-queue" });
    const total = h("span", { class: "muted", testid: "refund-queue-total" });
    const load = async () => {
      const data = await gql(QUEUE, {});
      const connection = data.refundReviewQueue;
      total.textContent = t("history.total", { count: connection.totalCount });
      fill(list, connection.edges.length ? connection.edges.map((edge) => item(edge.node)) : h("li", { class: "muted", testid: "refund-queue-empty" }, t("staff.queueEmpty")));
    };
    const item = (refund) => {
      const tx = refund.transaction;
      const review = form("refund-review-form", async (values, el, submitter) => {
        const approve = submitter && submitter.value === "approve";
        const payload = await mutate("reviewRefund", REVIEW, { refundId: refund.id, approve, note: values.note || null });
        if (!succeeded(el, payload)) return;
        el.replaceWith(notice(`${payload.refund.refundNo} ${label("RefundStatus", payload.refund.status)}`, "refund-reviewed"));
      },
        field("note", t("staff.note"), { placeholder: t("common.optional") }),
        h("div", { class: "actions" },
          submit(t("staff.approve"), "refund-approve", { name: "decision", value: "approve" }),
          submit(t("staff.reject"), "refund-reject", { class: "danger", name: "decision", value: "reject" })));
      return h("li", { class: "queue-item", testid: "refund-queue-item", dataset: { refundNo: refund.refundNo, transactionNo: tx.transactionNo } },
        h("div", {}, h("strong", {}, refund.refundNo), " ", statusBadge("RefundStatus", refund.status), " ",
          yuan(refund.amount), " · ", label("RefundReason", refund.reason)),
        h("div", { class: "muted" },
          t("tx.number"), " ", tx.transactionNo, " · ", label("TransactionType", tx.type), " ", yuan(tx.amount), " · ",
          label("Channel", tx.channel), tx.counterparty ? ` · ${tx.counterparty.name}` : "", " · ",
          t("refund.deadline"), " ", formatDateTime(refund.reviewDeadline)),
        refund.description ? h("p", {}, refund.description) : null,
        review);
    };
    const reload = h("button", { type: "button", class: "secondary", testid: "refund-queue-reload", on: { click: load } }, t("common.reload"));
    add(root, h("div", { class: "card" }, h("h2", {}, t("staff.refunds"), " ", total, " ", reload), list));
    await load();
    return null;
  },
};
