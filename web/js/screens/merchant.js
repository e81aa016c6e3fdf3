// Merchant: make a payment QR code and watch it turn PAID live (paymentQrCodeStatus).

import { h, fill, svgImage, formatDateTime, add, addFirst } from "../dom.js";
import { t, label } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, fieldError } from "../forms.js";
import { yuan } from "../money.js";
import { live, liveBadge } from "../live.js";
import { amountField, checkAmount } from "../payforms.js";
import { statusBadge } from "../transactions.js";

const QR_FIELDS = "id amount description payload svg status expiresAt transaction { transactionNo amount status }";
const MERCHANT = `query MyMerchant { viewer { merchant { id merchantNo name category account { accountNo balance available } } } }`;
const CREATE = `mutation CreatePaymentQrCode($input: CreatePaymentQrCodeInput!) { createPaymentQrCode(input: $input) { qrCode { ${QR_FIELDS} } ${USER_ERROR} } }`;
const STATUS = `subscription PaymentQrCodeStatus($qrCodeId: ID!) { paymentQrCodeStatus(qrCodeId: $qrCodeId) { ${QR_FIELDS} } }`;

export default {
  name: "merchant",
  title: "nav.merchant",
  auth: true,
  roles: ["MERCHANT"],
  allow: (app) => Boolean(app.viewer && app.viewer.merchant),
  async render(root) {
    const data = await gql(MERCHANT);
    const merchant = data.viewer && data.viewer.merchant;
    if (!merchant) {
      add(root, h("div", { class: "card" }, h("h1", {}, t("merchant.title")), h("p", {}, t("merchant.none"))));
      return null;
    }
    const stops = [];
    const codes = h("div", { class: "qr-codes", testid: "merchant-codes" });
    const settlement = h("span", { testid: "merchant-available" }, merchant.account ? yuan(merchant.account.available) : "");

    const codeCard = (code) => {
      const badge = liveBadge("qr-code-live");
      const status = h("span", { testid: "qr-code-status" });
      const paid = h("div", { testid: "qr-code-paid" });
      const card = h("div", { class: "card inner qr-card", testid: "qr-code-card", dataset: { id: code.id } },
        h("div", { class: "qr-box" }, svgImage(code.svg, t("merchant.qrAlt"), "qr-code-image")),
        h("div", {},
          h("p", {}, t("merchant.amount"), " ", h("strong", {}, code.amount ? yuan(code.amount) : t("merchant.payerEnters"))),
          code.description ? h("p", {}, code.description) : null,
          h("p", {}, t("merchant.status"), " ", status, " ", badge),
          h("p", { class: "muted" }, t("merchant.expiresAt"), " ", formatDateTime(code.expiresAt)),
          h("details", {}, h("summary", {}, t("merchant.payload")), h("code", { class: "payload", testid: "qr-code-payload" }, code.payload)),
          paid));
      const show = (current) => {
        card.dataset.status = current.status;
        fill(status, statusBadge("PaymentQrCodeStatus", current.status, "qr-code-status-badge"));
        if (current.status === "PAID" && current.transaction) {
          fill(paid, h("div", { class: "notice notice-ok" }, t("merchant.paid"), " ", yuan(current.transaction.amount), " · ", current.transaction.transactionNo));
          refreshBalance();
        }
      };
      show(code);
      stops.push(live(STATUS, { qrCodeId: code.id }, (event) => show(event.paymentQrCodeStatus), { badge }));
      return card;
    };

    const refreshBalance = async () => {
      const again = await gql(MERCHANT).catch(() => null);
      const account = again && again.viewer && again.viewer.merchant && again.viewer.merchant.account;
      if (account) settlement.textContent = yuan(account.available);
    };

    const createForm = form("qr-create-form", async (values, el) => {
      if (!checkAmount(el, values.amount, "amount", { optional: true })) return;
      if (values.expiresInSeconds && !/^\d{1,5}$/.test(values.expiresInSeconds)) return fieldError(el, "expiresInSeconds", "VALIDATION_FAILED");
      const payload = await mutate("createPaymentQrCode", CREATE, {
        amount: values.amount || null,
        description: values.description || null,
        expiresInSeconds: values.expiresInSeconds ? Number.parseInt(values.expiresInSeconds, 10) : null,
      });
      if (!succeeded(el, payload)) return;
      addFirst(codes, codeCard(payload.qrCode));
    },
      amountField("amount", { hint: t("merchant.amountHint") }),
      field("description", t("merchant.description"), { placeholder: t("common.optional") }),
      field("expiresInSeconds", t("merchant.expiresIn"), { inputmode: "numeric", placeholder: "300" }),
      h("div", { class: "actions" }, submit(t("merchant.create"), "qr-create-submit")));

    add(root, 
      h("div", { class: "card" },
        h("h1", {}, t("merchant.title"), " · ", h("span", { testid: "merchant-name" }, merchant.name)),
        h("p", { class: "muted" }, t("merchant.no"), " ", h("span", { testid: "merchant-no" }, merchant.merchantNo), " · ", merchant.category),
        merchant.account ? h("p", {}, t("merchant.settlement"), " ", settlement, " ", h("span", { class: "muted" }, merchant.account.accountNo)) : null),
      h("div", { class: "card narrow" }, h("h2", {}, t("merchant.newCode")), createForm),
      codes);
    return () => stops.forEach((stop) => stop());
  },
};
