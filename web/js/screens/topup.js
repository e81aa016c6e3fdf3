import { h, fill, add } from "../dom.js";
import { t } from "../i18n.js";
import { mutate } from "../api.js";
import { form, submit, succeeded, fieldError } from "../forms.js";
import { yuan } from "../money.js";
import { transactionResult } from "../transactions.js";
import { TX_PAYLOAD, amountField, channelField, cardField, checkAmount, attemptKeys, applyAccount } from "../payforms.js";

const TOP_UP = `mutation TopUp($input: TopUpInput!) { topUp(input: $input) { ${TX_PAYLOAD} } }`;

export default {
  name: "topup",
  title: "nav.topup",
  auth: true,
  render(root, { app }) {
    const keys = attemptKeys();
    const result = h("div", { testid: "topup-result" });
    const topUpForm = form("topup-form", async (values, el) => {
      if (!checkAmount(el, values.amount)) return;
      if (values.channel === "BANK_CARD" && !values.bankCardId) return fieldError(el, "bankCardId", "VALIDATION_FAILED");
      const input = {
        amount: values.amount,
        channel: values.channel,
        bankCardId: values.channel === "BANK_CARD" ? values.bankCardId : null,
        idempotencyKey: keys.current(),
      };
      const payload = await mutate("topUp", TOP_UP, input);
      keys.answered();
      if (!succeeded(el, payload)) return;
      applyAccount(payload);
      fill(result, transactionResult(payload.transaction, "topup-done"));
      el.querySelector("[name=amount]").value = "";
    },
      amountField("amount", { hint: t("topup.rule") }),
      channelField(["BANK_CARD", "THIRD_PARTY", "OFFLINE"]),
      cardField(app.viewer),
      h("div", { class: "actions" }, submit(t("topup.submit"), "topup-submit")));
    const cardRow = topUpForm.querySelector("[name=bankCardId]").closest(".field");
    topUpForm.querySelector("[name=channel]").addEventListener("change", (event) => (cardRow.hidden = event.target.value !== "BANK_CARD"));
    add(root, h("div", { class: "card narrow" },
      h("h1", {}, t("topup.title")),
      h("p", { class: "muted" }, t("home.available"), " ", yuan(app.viewer.account.available)),
      app.viewer.bankCards.length ? null : h("p", { class: "notice notice-info" }, t("money.noCards"), " ", h("a", { href: "#/cards" }, t("nav.cards"))),
      topUpForm, result));
  },
};
