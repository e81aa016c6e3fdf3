// Pay by a merchant's QR code: the scanned text is pasted here.

import { h, fill, add } from "../dom.js";
import { t } from "../i18n.js";
import { mutate } from "../api.js";
import { field, form, submit, showErrors, fieldError } from "../forms.js";
import { yuan } from "../money.js";
import { transactionResult } from "../transactions.js";
import { TX_PAYLOAD, amountField, pinField, checkAmount, checkPin, attemptKeys, applyAccount, resetSecrets, stepUpRow, revealStepUp, stepUpCode } from "../payforms.js";

const PAY_QR = `mutation PayQrCode($input: PayQrCodeInput!) { payQrCode(input: $input) { ${TX_PAYLOAD} } }`;

export default {
  name: "pay-qr",
  title: "nav.payQr",
  auth: true,
  render(root, { app }) {
    const keys = attemptKeys();
    const result = h("div", { testid: "pay-qr-result" });
    const payForm = form("pay-qr-form", async (values, el) => {
      if (!values.payload) return fieldError(el, "payload", "VALIDATION_FAILED");
      if (!checkAmount(el, values.amount, "amount", { optional: true }) || !checkPin(el, values.paymentPassword)) return;
      const payload = await mutate("payQrCode", PAY_QR, {
        payload: values.payload,
        amount: values.amount || null,
        paymentPassword: values.paymentPassword,
        verificationCode: stepUpCode(values),
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
      fill(result, transactionResult(payload.transaction, "pay-qr-done"));
    },
      field("payload", t("payQr.payload"), { type: "textarea", rows: 2, placeholder: t("payQr.payloadHint") }),
      amountField("amount", { hint: t("payQr.amountHint") }),
      pinField(),
      stepUpRow(),
      h("div", { class: "actions" }, submit(t("payQr.submit"), "pay-qr-submit")));
    add(root, h("div", { class: "card narrow" },
      h("h1", {}, t("payQr.title")),
      h("p", { class: "muted" }, t("home.available"), " ", yuan(app.viewer.account.available)),
      payForm, result));
  },
};
