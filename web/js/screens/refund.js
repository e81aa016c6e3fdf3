// The refund request form of one transaction (seed 5.2).

import { h } from "../dom.js";
import { t } from "../i18n.js";
import { mutate, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, enumOptions, notice } from "../forms.js";
import { amountField, checkAmount } from "../payforms.js";
import { REFUND_FIELDS } from "../transactions.js";

const REQUEST = `mutation RequestRefund($input: RequestRefundInput!) { requestRefund(input: $input) { refund { ${REFUND_FIELDS} } ${USER_ERROR} } }`;
const REASONS = ["WRONG_AMOUNT", "WRONG_COUNTERPARTY", "PROCESSING_ERROR"];

export function refundForm(tx, onDone) {
  const el = form("refund-form", async (values, formEl) => {
    if (!checkAmount(formEl, values.amount, "amount", { optional: true })) return;
    const payload = await mutate("requestRefund", REQUEST, {
      transactionNo: tx.transactionNo,
      amount: values.amount || null,
      reason: values.reason,
      description: values.description || null,
    });
    if (!succeeded(formEl, payload)) return;
    const done = notice(t("refund.requested", { refundNo: payload.refund.refundNo }), "refund-requested");
    formEl.replaceWith(done);
    await onDone(payload.refund, done);
  },
    h("h3", {}, t("refund.title")),
    amountField("amount", { hint: t("refund.amountHint", { amount: tx.refundableAmount }) }),
    field("reason", t("refund.reason"), { type: "select", options: enumOptions("RefundReason", REASONS) }),
    field("description", t("refund.description"), { type: "textarea", rows: 2, placeholder: t("common.optional") }),
    h("div", { class: "actions" }, submit(t("refund.submit"), "refund-submit")));
  return el;
}
