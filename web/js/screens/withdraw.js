// Withdrawal: the fee quote (withdrawalQuote) is shown and must be confirmed
// with the payment password before the money moves.

import { h, fill, formatDateTime, add } from "../dom.js";
import { t } from "../i18n.js";
import { gql, mutate } from "../api.js";
import { form, submit, succeeded, fieldError, showException } from "../forms.js";
import { yuan } from "../money.js";
import { transactionResult } from "../transactions.js";
import { TX_PAYLOAD, amountField, channelField, cardField, pinField, checkAmount, checkPin, attemptKeys, applyAccount, resetSecrets } from "../payforms.js";

const QUOTE = `query Quote($amount: Money!, $channel: Channel!) { withdrawalQuote(amount: $amount, channel: $channel) { amount fee netAmount expectedArrivalAt } }`;
const WITHDRAW = `mutation Withdraw($input: WithdrawInput!) { withdraw(input: $input) { ${TX_PAYLOAD} } }`;

export default {
  name: "withdraw",
  title: "nav.withdraw",
  auth: true,
  render(root, { app }) {
    const keys = attemptKeys();
    const quoteBox = h("div", { class: "quote", testid: "withdraw-quote", hidden: true });
    const confirmRow = h("div", { class: "confirm-row", hidden: true }, pinField(), h("div", { class: "actions" }, submit(t("withdraw.confirm"), "withdraw-confirm", { name: "step", value: "confirm" })));
    const result = h("div", { testid: "withdraw-result" });
    let quoted = null;

    const withdrawForm = form("withdraw-form", async (values, el, submitter) => {
      if (!checkAmount(el, values.amount)) return;
      if (values.channel === "BANK_CARD" && !values.bankCardId) return fieldError(el, "bankCardId", "VALIDATION_FAILED");
      const confirming = submitter && submitter.value === "confirm";
      const same = quoted && quoted.amount === values.amount && quoted.channel === values.channel;
      if (!confirming || !same) {
        // step 1: the quote
        try {
          const data = await gql(QUOTE, { amount: values.amount, channel: values.channel });
          const quote = data.withdrawalQuote;
          quoted = { amount: values.amount, channel: values.channel };
          fill(quoteBox,
            h("div", {}, t("withdraw.amount"), " ", h("strong", { testid: "quote-amount" }, yuan(quote.amount))),
            h("div", {}, t("withdraw.fee"), " ", h("strong", { testid: "quote-fee" }, yuan(quote.fee))),
            h("div", {}, t("withdraw.net"), " ", h("strong", { testid: "quote-net" }, yuan(quote.netAmount))),
            h("div", {}, t("withdraw.arrival"), " ", h("span", { testid: "quote-arrival" }, formatDateTime(quote.expectedArrivalAt))));
          quoteBox.hidden = false;
          confirmRow.hidden = false;
        } catch (error) {
          quoteBox.hidden = true;
          confirmRow.hidden = true;
          showException(el, error);
        }
        return;
      }
      // step 2: confirmed with the payment password
      if (!checkPin(el, values.paymentPassword)) return;
      const payload = await mutate("withdraw", WITHDRAW, {
        amount: values.amount,
        channel: values.channel,
        bankCardId: values.channel === "BANK_CARD" ? values.bankCardId : null,
        paymentPassword: values.paymentPassword,
        idempotencyKey: keys.current(),
      });
      keys.answered();
      resetSecrets(el);
      if (!succeeded(el, payload)) return;
      applyAccount(payload);
      quoted = null;
      quoteBox.hidden = true;
      confirmRow.hidden = true;
      fill(result, transactionResult(payload.transaction, "withdraw-done"));
    },
      amountField("amount", { hint: t("withdraw.rule") }),
      channelField(["BANK_CARD", "THIRD_PARTY"]),
      cardField(app.viewer),
      h("div", { class: "actions" }, submit(t("withdraw.quote"), "withdraw-quote-submit", { class: "secondary", name: "step", value: "quote" })),
      quoteBox,
      confirmRow);
    const cardRow = withdrawForm.querySelector("[name=bankCardId]").closest(".field");
    const hideQuote = () => {
      quoted = null;
      quoteBox.hidden = true;
      confirmRow.hidden = true;
    };
    withdrawForm.querySelector("[name=channel]").addEventListener("change", (event) => {
      cardRow.hidden = event.target.value !== "BANK_CARD";
      hideQuote();
    });
    withdrawForm.querySelector("[name=amount]").addEventListener("input", hideQuote);
    add(root, h("div", { class: "card narrow" },
      h("h1", {}, t("withdraw.title")),
      h("p", { class: "muted" }, t("home.available"), " ", yuan(app.viewer.account.available)),
      withdrawForm, result));
  },
};
