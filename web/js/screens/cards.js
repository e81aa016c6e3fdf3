// Bank cards: list, bind a new one (code sent to the phone reserved at the bank), remove.

import { h, fill, add } from "../dom.js";
import { t } from "../i18n.js";
import { mutate, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, fieldError, notice } from "../forms.js";
import { codeField } from "../codes.js";
import { CARD_FIELDS } from "../app.js";
import { PHONE } from "../session.js";
import { pinField, checkPin } from "../payforms.js";

const ADD = `mutation AddBankCard($input: AddBankCardInput!) { addBankCard(input: $input) { bankCard { ${CARD_FIELDS} } ${USER_ERROR} } }`;
const REMOVE = `mutation RemoveBankCard($input: RemoveBankCardInput!) { removeBankCard(input: $input) { ok ${USER_ERROR} } }`;

export default {
  name: "cards",
  title: "nav.cards",
  auth: true,
  render(root, { app }) {
    const list = h("ul", { class: "card-list", testid: "card-list" });
    const status = h("div", { testid: "cards-status" });

    const drawList = () => {
      const cards = app.viewer.bankCards;
      fill(list, cards.length ? cards.map(cardItem) : h("li", { class: "muted" }, t("cards.none")));
    };

    const cardItem = (card) => {
      const removeForm = form(`remove-card-form`, async (values, el) => {
        if (!checkPin(el, values.paymentPassword)) return;
        const payload = await mutate("removeBankCard", REMOVE, { bankCardId: card.id, paymentPassword: values.paymentPassword });
        if (!succeeded(el, payload)) return;
        await app.loadViewer();
        drawList();
        fill(status, notice(t("cards.removed"), "card-removed"));
      }, pinField(), h("div", { class: "actions" }, submit(t("cards.remove"), "remove-card-submit", { class: "danger" })));
      removeForm.hidden = true;
      const toggle = h("button", { type: "button", class: "link", testid: "remove-card", on: { click: () => (removeForm.hidden = !removeForm.hidden) } }, t("cards.remove"));
      return h("li", { class: "bank-card", testid: "bank-card", dataset: { last4: card.last4 } },
        h("div", { class: "bank-card-face" },
          h("strong", {}, card.bankName), " ", h("span", { testid: "card-number" }, card.maskedNumber),
          card.isDefault ? h("span", { class: "badge" }, t("cards.default")) : null,
          h("div", { class: "muted" }, card.holderName)),
        toggle, removeForm);
    };

    const phoneOf = (el) => {
      const phone = el.querySelector("[name=phone]").value.trim();
      return PHONE.test(phone) ? phone : null;
    };
    const addForm = form("add-card-form", async (values, el) => {
      if (!/^\d{12,19}$/.test(values.cardNumber.replace(/\s/g, ""))) return fieldError(el, "cardNumber", "INVALID_CARD_NUMBER");
      if (!values.holderName) return fieldError(el, "holderName", "VALIDATION_FAILED");
      if (!PHONE.test(values.phone)) return fieldError(el, "phone", "VALIDATION_FAILED");
      const payload = await mutate("addBankCard", ADD, {
        cardNumber: values.cardNumber.replace(/\s/g, ""),
        holderName: values.holderName,
        idNumber: values.idNumber,
        phone: values.phone,
        verificationCode: values.verificationCode,
      });
      if (!succeeded(el, payload)) return;
      el.reset();
      await app.loadViewer();
      drawList();
      fill(status, notice(t("cards.added", { card: payload.bankCard.maskedNumber }), "card-added"));
    },
      field("cardNumber", t("cards.number"), { inputmode: "numeric", maxlength: 23 }),
      field("holderName", t("cards.holder")),
      field("idNumber", t("cards.idNumber"), { maxlength: 18 }),
      field("phone", t("cards.phone"), { type: "tel", maxlength: 11, value: app.viewer && app.viewer.phone && !app.viewer.phone.includes("*") ? app.viewer.phone : "" }),
      codeField("BIND_BANK_CARD", phoneOf),
      h("div", { class: "actions" }, submit(t("cards.add"), "add-card-submit")));

    drawList();
    add(root, 
      h("div", { class: "card" }, h("h1", {}, t("cards.title")), status, list),
      h("div", { class: "card narrow" }, h("h2", {}, t("cards.addTitle")), addForm));
  },
};
