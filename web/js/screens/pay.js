// Pay a merchant by merchant number; a large or unusual payment may ask for an SMS code.

import { h, fill, add } from "../dom.js";
import { t } from "../i18n.js";
import { gql, mutate } from "../api.js";
import { field, form, submit, showErrors, fieldError } from "../forms.js";
import { yuan } from "../money.js";
import { transactionResult } from "../transactions.js";
import {
  TX_PAYLOAD, amountField, channelField, cardField, pinField, checkAmount, checkPin,
  attemptKeys, applyAccount, resetSecrets, stepUpRow, revealStepUp, stepUpCode,
} from "../payforms.js";

const MERCHANT = `query Merchant($merchantNo: String!) { merchant(merchantNo: $merchantNo) { merchantNo name category } }`;
const PAY = `mutation Pay($input: PayInput!) { pay(input: $input) { ${TX_PAYLOAD} } }`;

export default {
  name: "pay",
  title: "nav.pay",
  auth: true,
  render(root, { app, params }) {
    const keys = attemptKeys();
    const merchantName = h("div", { class: "muted", testid: "merchant-name" });
    const result = h("div", { testid: "pay-result" });

    const payForm = form("pay-form", async (values, el) => {
      if (!values.merchantNo) return fieldError(el, "merchantNo", "VALIDATION_FAILED");
      if (!checkAmount(el, values.amount) || !checkPin(el, values.paymentPassword)) return;
      if (values.channel === "BANK_CARD" && !values.bankCardId) return fieldError(el, "bankCardId", "VALIDATION_FAILED");
      const payload = await mutate("pay", PAY, {
        merchantNo: values.merchantNo,
        amount: values.amount,
        channel: values.channel,
        bankCardId: values.channel === "BANK_CARD" ? values.bankCardId : null,
        paymentPassword: values.paymentPassword,
        verificationCode: stepUpCode(values),
        description: values.description || null,
        idempotencyKey: keys.current(),
      });
      keys.answered();
      if (payload.errors.length) {
        const stepUp = revealStepUp(el, payload.errors);
        showErrors(el, payload.errors);
        if (!stepUp) resetSecrets(el);
        return;
      }
      resetSecrets(el);
      applyAccount(payload);
      fill(result, transactionResult(payload.transaction, "pay-done"));
    },
      field("merchantNo", t("pay.merchantNo"), { value: params[0] || "" }),
      merchantName,
      amountField(),
      channelField(["WALLET_BALANCE", "BANK_CARD", "THIRD_PARTY"]),
      cardField(app.viewer),
      field("description", t("pay.description"), { placeholder: t("common.optional") }),
      pinField(),
      stepUpRow(),
      h("div", { class: "actions" }, submit(t("pay.submit"), "pay-submit")));

    const cardRow = payForm.querySelector("[name=bankCardId]").closest(".field");
    cardRow.hidden = true;
    payForm.querySelector("[name=channel]").addEventListener("change", (event) => (cardRow.hidden = event.target.value !== "BANK_CARD"));
    const lookUp = async () => {
      const merchantNo = payForm.querySelector("[name=merchantNo]").value.trim();
      if (!merchantNo) return fill(merchantName);
      try {
        const data = await gql(MERCHANT, { merchantNo });
        fill(merchantName, data.merchant ? `${data.merchant.name} · ${data.merchant.category}` : t("pay.unknownMerchant"));
      } catch {
        fill(merchantName);
      }
    };
    payForm.querySelector("[name=merchantNo]").addEventListener("change", lookUp);
    if (params[0]) lookUp();
    add(root, h("div", { class: "card narrow" },
      h("h1", {}, t("pay.title")),
      h("p", { class: "muted" }, t("home.available"), " ", yuan(app.viewer.account.available)),
      payForm, result));
  },
};
