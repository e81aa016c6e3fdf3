// Merchant console: payouts of the merchant account's balance to the owner's bank card (with the
// payment password and an idempotency key per attempt), and the list of payouts.

import { h, fill, formatDateTime, addFirst } from "../dom.js";
import { t } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { form, submit, succeeded, fieldError, notice } from "../forms.js";
import { yuan } from "../money.js";
import { amountField, cardField, pinField, checkAmount, checkPin, attemptKeys, resetSecrets } from "../payforms.js";
import { statusBadge } from "../transactions.js";

const PAYOUT_FIELDS = "id amount fee status expectedArrivalAt paidAt failureReason createdAt bankCard { bankName maskedNumber }";
const PAYOUTS = `query MerchantPayouts($merchantNo: String!) { merchant(merchantNo: $merchantNo) {
  account { available } payouts(first: 20) { edges { node { ${PAYOUT_FIELDS} } } } } }`;
const REQUEST_PAYOUT = `mutation RequestPayout($input: RequestPayoutInput!) {
  requestPayout(input: $input) { payout { ${PAYOUT_FIELDS} } ${USER_ERROR} } }`;

function payoutRow(payout) {
  return h("div", { class: "row", testid: "payout", dataset: { status: payout.status } },
    h("strong", {}, yuan(payout.amount)), " ",
    statusBadge("PayoutStatus", payout.status, "payout-status"), " ",
    payout.bankCard ? `${payout.bankCard.bankName} ${payout.bankCard.maskedNumber}` : "", " ",
    h("span", { class: "muted" },
      payout.paidAt ? `${t("payouts.paidAt")} ${formatDateTime(payout.paidAt)}`
        : payout.expectedArrivalAt ? `${t("payouts.expected")} ${formatDateTime(payout.expectedArrivalAt)}` : "",
      payout.failureReason ? ` · ${payout.failureReason}` : ""));
}

/** The payouts card of ``merchant`` ({merchantNo}); ``viewer`` carries the owner's bank cards. */
export async function payoutsCard(merchant, viewer) {
  const data = await gql(PAYOUTS, { merchantNo: merchant.merchantNo });
  const keys = attemptKeys();
  const available = h("strong", { testid: "payout-available" }, yuan(data.merchant.account ? data.merchant.account.available : "0.00"));
  const list = h("div", { testid: "payouts" });
  fill(list, data.merchant.payouts.edges.map((edge) => payoutRow(edge.node)));
  const payoutForm = form("payout-form", async (values, el) => {
    if (!checkAmount(el, values.amount)) return;
    if (!values.bankCardId) return fieldError(el, "bankCardId", "VALIDATION_FAILED");
    if (!checkPin(el, values.paymentPassword)) return;
    const payload = await mutate("requestPayout", REQUEST_PAYOUT, {
      merchantNo: merchant.merchantNo, amount: values.amount, bankCardId: values.bankCardId,
      paymentPassword: values.paymentPassword, idempotencyKey: keys.current(),
    });
    keys.answered();
    resetSecrets(el);
    if (!succeeded(el, payload)) return;
    el.reset();
    addFirst(list, payoutRow(payload.payout));
    addFirst(el, notice(t("payouts.requested", { amount: yuan(payload.payout.amount) }), "payout-done"));
    const fresh = await gql(PAYOUTS, { merchantNo: merchant.merchantNo });
    if (fresh.merchant.account) fill(available, yuan(fresh.merchant.account.available));
  },
    amountField("amount"),
    cardField(viewer || {}),
    pinField(),
    h("div", { class: "actions" }, submit(t("payouts.request"), "payout-submit")));
  return h("div", { class: "card", testid: "payouts-card" }, h("h2", {}, t("payouts.title")),
    h("p", {}, t("payouts.available"), " ", available), payoutForm, list);
}
