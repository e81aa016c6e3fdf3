// Pay by a merchant's QR code: the scanned text is pasted here. A foreign merchant's code is
// answered FX_QUOTE_REQUIRED: the locked quote is then shown and the password asked again.

import { h, fill, add } from "../dom.js";
import { t } from "../i18n.js";
import { mutate, USER_ERROR } from "../api.js";
import { field, form, submit, fieldError, succeeded } from "../forms.js";
import { yuan } from "../money.js";
import { transactionResult, TX_FIELDS } from "../transactions.js";
import { quoteBox, requestQuote, QUOTE_GONE, FX_DETAILS } from "../fxquote.js";
import { fxLine } from "./pay.js";
import { amountField, pinField, checkAmount, checkPin, attemptKeys, resetSecrets, stepUpRow, stepUpCode, moneyAnswered } from "../payforms.js";

const PAY_QR = `mutation PayQrCode($input: PayQrCodeInput!) {
  payQrCode(input: $input) { transaction { ${TX_FIELDS} ${FX_DETAILS} } account { balance available frozen } ${USER_ERROR} }
}`;

export default {
  name: "pay-qr",
  title: "nav.payQr",
  auth: true,
  render(root, { app }) {
    const keys = attemptKeys();
    const result = h("div", { testid: "pay-qr-result" });
    const submitButton = submit(t("payQr.submit"), "pay-qr-submit");
    const quote = quoteBox(() => (submitButton.textContent = t("payQr.submit")));
    const forgetQuote = () => {
      quote.clear();
      submitButton.textContent = t("payQr.submit");
    };
    const payForm = form("pay-qr-form", async (values, el) => {
      if (!values.payload) return fieldError(el, "payload", "VALIDATION_FAILED");
      if (!checkAmount(el, values.amount, "amount", { optional: true }) || !checkPin(el, values.paymentPassword)) return;
      const locked = quote.quote();
      const payload = await mutate("payQrCode", PAY_QR, {
        payload: values.payload,
        amount: locked ? locked.cnyAmount : values.amount || null,
        fxQuoteId: locked ? locked.id : null,
        paymentPassword: values.paymentPassword,
        verificationCode: stepUpCode(values),
        idempotencyKey: keys.current(),
      });
      keys.answered();
      if (payload.errors.some((error) => error.code === "FX_QUOTE_REQUIRED")) {
        // a foreign merchant's code: lock a rate, show it, ask for the password again
        resetSecrets(el);
        const asked = await requestQuote({ payload: values.payload, amount: values.amount || null, amountCurrency: "CNY" });
        if (!succeeded(el, asked)) return;
        quote.show(asked.quote);
        submitButton.textContent = t("fx.confirmPay");
        return;
      }
      if (payload.errors.some((error) => QUOTE_GONE.has(error.code))) forgetQuote();
      if (!moneyAnswered(el, payload)) return;
      forgetQuote();
      fill(result, transactionResult(payload.transaction, "pay-qr-done"), fxLine(payload.transaction));
    },
      field("payload", t("payQr.payload"), { type: "textarea", rows: 2, placeholder: t("payQr.payloadHint") }),
      amountField("amount", { hint: t("payQr.amountHint") }),
      quote.el,
      pinField(),
      stepUpRow(),
      h("div", { class: "actions" }, submitButton));
    // a quote is for one code and amount: editing either asks for a new one
    for (const name of ["payload", "amount"]) payForm.querySelector(`[name=${name}]`).addEventListener("input", forgetQuote);
    add(root, h("div", { class: "card narrow" },
      h("h1", {}, t("payQr.title")),
      h("p", { class: "muted" }, t("home.available"), " ", yuan(app.viewer.account.available)),
      payForm, result));
    return () => quote.stop();
  },
};
