import { h, fill, add } from "../dom.js";
import { t } from "../i18n.js";
import { mutate } from "../api.js";
import { field, form, submit, fieldError } from "../forms.js";
import { yuan } from "../money.js";
import { transactionResult } from "../transactions.js";
import { payeesCard } from "../payees.js";
import { TX_PAYLOAD, amountField, pinField, checkAmount, checkPin, attemptKeys, stepUpRow, stepUpCode, moneyAnswered } from "../payforms.js";

const TRANSFER = `mutation Transfer($input: TransferInput!) { transfer(input: $input) { ${TX_PAYLOAD} } }`;

export default {
  name: "transfer",
  title: "nav.transfer",
  auth: true,
  async render(root, { app }) {
    const keys = attemptKeys();
    const result = h("div", { testid: "transfer-result" });
    const transferForm = form("transfer-form", async (values, el) => {
      if (!values.recipient) return fieldError(el, "recipient", "VALIDATION_FAILED");
      if (!checkAmount(el, values.amount) || !checkPin(el, values.paymentPassword)) return;
      const payload = await mutate("transfer", TRANSFER, {
        recipient: values.recipient,
        amount: values.amount,
        paymentPassword: values.paymentPassword,
        verificationCode: stepUpCode(values),
        note: values.note || null,
        idempotencyKey: keys.current(),
      });
      keys.answered();
      if (!moneyAnswered(el, payload)) return;
      fill(result, transactionResult(payload.transaction, "transfer-done"));
      picks.reload();
    },
      field("recipient", t("transfer.recipient"), { placeholder: t("transfer.recipientHint") }),
      amountField(),
      field("note", t("transfer.note"), { placeholder: t("common.optional") }),
      pinField(),
      stepUpRow(),
      h("div", { class: "actions" }, submit(t("transfer.submit"), "transfer-submit")));
    const picks = await payeesCard((accountNo) => {
      const input = transferForm.querySelector("[name=recipient]");
      input.value = accountNo;
      input.focus();
    });
    add(root, h("div", { class: "card narrow" },
      h("h1", {}, t("transfer.title")),
      h("p", { class: "muted" }, t("home.available"), " ", yuan(app.viewer.account.available)),
      transferForm, result),
    picks.element);
  },
};
