// Wallet: the user-presented payment code (付款码). The code rotates (asked again when it
// expires, and after each charge), is shown as QR and Code 128 barcode, and charges above
// the password-free limit arrive live (paymentCodeCharges) with a confirmation prompt.

import { h, fill, svgImage, formatDateTime, add, addFirst } from "../dom.js";
import { t } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { form, submit, succeeded, showErrors, notice } from "../forms.js";
import { yuan } from "../money.js";
import { live, liveBadge } from "../live.js";
import { pinField, checkPin, stepUpRow, revealStepUp, stepUpCode, resetSecrets } from "../payforms.js";
import { statusBadge } from "../transactions.js";

const CODE = `query PaymentCode { paymentCode { code qrSvg barcodeSvg expiresAt } viewer { paymentCodeEnabled } }`;
const ENABLE = `mutation EnablePaymentCode($input: EnablePaymentCodeInput!) { enablePaymentCode(input: $input) { secret ${USER_ERROR} } }`;
const DISABLE = `mutation DisablePaymentCode($input: DisablePaymentCodeInput!) { disablePaymentCode(input: $input) { ok ${USER_ERROR} } }`;
const ORDER_FIELDS = "id outTradeNo amount description status merchant { name merchantNo }";
const CHARGES = `subscription PaymentCodeCharges { paymentCodeCharges { ${ORDER_FIELDS} } }`;
const CONFIRM = `mutation ConfirmPaymentCodeCharge($input: ConfirmPaymentCodeChargeInput!) {
  confirmPaymentCodeCharge(input: $input) { order { ${ORDER_FIELDS} } ${USER_ERROR} } }`;

export default {
  name: "pay-code",
  title: "nav.payCode",
  auth: true,
  async render(root) {
    const shown = h("div", { testid: "pay-code" });
    const charges = h("div", { testid: "pay-code-charges" });
    const badge = liveBadge("pay-code-live");
    let timer = null;
    let stop = null;

    const pinForm = (testid, action) => form(testid, async (values, el) => {
      if (!checkPin(el, values.paymentPassword)) return;
      const payload = await action(values.paymentPassword);
      if (!succeeded(el, payload)) return;
      await refresh();
    }, pinField(), h("div", { class: "actions" }, submit(t(`payCode.${testid === "pay-code-enable" ? "enable" : "disable"}`), `${testid}-submit`)));

    const refresh = async () => {
      clearTimeout(timer);
      const data = await gql(CODE);
      const code = data.paymentCode;
      if (!code) {
        fill(shown, h("p", {}, t("payCode.off")),
          pinForm("pay-code-enable", (pin) => mutate("enablePaymentCode", ENABLE, { paymentPassword: pin })));
        return;
      }
      fill(shown,
        h("div", { class: "qr-box" }, svgImage(code.qrSvg, t("payCode.qrAlt"), "pay-code-qr")),
        h("div", { class: "barcode" }, svgImage(code.barcodeSvg, t("payCode.barcodeAlt"), "pay-code-barcode")),
        h("p", { class: "code-digits", testid: "pay-code-digits" }, code.code.replace(/(\d{4})(?=\d)/g, "$1 ")),
        h("p", { class: "muted" }, t("payCode.validUntil"), " ", formatDateTime(code.expiresAt)),
        h("details", {}, h("summary", {}, t("payCode.disable")),
          pinForm("pay-code-disable", (pin) => mutate("disablePaymentCode", DISABLE, { paymentPassword: pin }))));
      // A new code when this one expires (a code is also spent by a charge: refresh then too).
      const wait = Math.max(1000, new Date(code.expiresAt).getTime() - Date.now() + 200);
      timer = setTimeout(() => refresh().catch(() => {}), wait);
    };

    const confirmCard = (order) => {
      const card = h("div", { class: "card inner", testid: "pay-code-charge", dataset: { id: order.id, status: order.status } });
      const draw = (current) => {
        card.dataset.status = current.status;
        const head = h("p", {}, current.merchant.name, " · ", h("strong", {}, yuan(current.amount)), " ",
          statusBadge("OrderStatus", current.status, "pay-code-charge-status"));
        if (current.status !== "AWAITING_CONFIRMATION") return fill(card, head);
        const confirm = form("pay-code-confirm", async (values, el) => {
          if (!checkPin(el, values.paymentPassword)) return;
          const payload = await mutate("confirmPaymentCodeCharge", CONFIRM, {
            orderId: current.id, paymentPassword: values.paymentPassword, verificationCode: stepUpCode(values),
          });
          if (payload.errors.length) {
            if (!revealStepUp(el, payload.errors)) resetSecrets(el);
            return showErrors(el, payload.errors);
          }
          draw(payload.order);
        }, h("p", {}, t("payCode.confirmPrompt")), pinField(), stepUpRow(),
        h("div", { class: "actions" }, submit(t("payCode.confirm"), "pay-code-confirm-submit")));
        fill(card, head, confirm);
      };
      draw(order);
      return card;
    };

    const cards = new Map();
    const onCharge = (order) => {
      const existing = cards.get(order.id);
      const card = confirmCard(order);
      cards.set(order.id, card);
      if (existing) existing.replaceWith(card);
      else addFirst(charges, card);
      if (order.status === "PAID") {
        addFirst(charges, notice(t("payCode.paid", { amount: yuan(order.amount), merchant: order.merchant.name }), "pay-code-paid"));
        refresh().catch(() => {});
      }
    };

    await refresh();
    stop = live(CHARGES, {}, (event) => onCharge(event.paymentCodeCharges), { badge });
    add(root, h("div", { class: "card narrow" }, h("h1", {}, t("payCode.title"), " ", badge),
      h("p", { class: "muted" }, t("payCode.hint")), shown), charges);
    return () => {
      clearTimeout(timer);
      if (stop) stop();
    };
  },
};
