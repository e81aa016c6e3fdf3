// Wallet: the user-presented payment code (付款码). Enabling it keeps the secret on this
// device (devicecode.js): the code is then derived here every 30 s with WebCrypto (totp.js)
// and drawn as QR and Code 128 barcode by vendored libraries (codeimages.js), so it works
// without the network. A device without the secret shows the server's code (paymentCode).
// Charges above the password-free limit arrive live (paymentCodeCharges) with a confirmation prompt.

import { h, fill, svgImage, formatDateTime, add, addFirst } from "../dom.js";
import { t } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { form, submit, succeeded, showErrors, notice } from "../forms.js";
import { yuan } from "../money.js";
import { live, liveBadge } from "../live.js";
import { pinField, checkPin, stepUpRow, revealStepUp, stepUpCode, resetSecrets } from "../payforms.js";
import { statusBadge } from "../transactions.js";
import { hmacKey, paymentCodeAt, stepAt } from "../totp.js";
import { loadDeviceCode, saveDeviceCode, forgetDeviceCode } from "../devicecode.js";
import { qrSvg, barcodeSvg, preloadCodeImages } from "../codeimages.js";

const CODE = `query PaymentCode { paymentCode { code qrSvg barcodeSvg expiresAt } viewer { id paymentCodeEnabled } }`;
const ENABLE = `mutation EnablePaymentCode($input: EnablePaymentCodeInput!) {
  enablePaymentCode(input: $input) { secret codePrefix stepSeconds otpDigits ${USER_ERROR} } }`;
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
    let userId = null;
    let device = null; // {secret, prefix, stepSeconds, otpDigits, usedStep} kept on this device
    let key = null; // its WebCrypto HMAC key
    let shownStep = null;

    const pinForm = (testid, action, after) => form(testid, async (values, el) => {
      if (!checkPin(el, values.paymentPassword)) return;
      const payload = await action(values.paymentPassword);
      if (!succeeded(el, payload)) return;
      after(payload);
      await refresh();
    }, pinField(), h("div", { class: "actions" }, submit(t(`payCode.${testid === "pay-code-enable" ? "enable" : "disable"}`), `${testid}-submit`)));

    const enableForm = () => pinForm("pay-code-enable", (pin) => mutate("enablePaymentCode", ENABLE, { paymentPassword: pin }),
      (payload) => saveDeviceCode(userId, {
        secret: payload.secret, prefix: payload.codePrefix, stepSeconds: payload.stepSeconds, otpDigits: payload.otpDigits, usedStep: -1,
      }));
    const disableForm = () => h("details", {}, h("summary", {}, t("payCode.disable")),
      pinForm("pay-code-disable", (pin) => mutate("disablePaymentCode", DISABLE, { paymentPassword: pin }), () => forgetDeviceCode(userId)));

    const showCode = (source, code, qr, barcode, expiresAt) => {
      shown.dataset.source = source;
      if (source === "server") delete shown.dataset.step;
      fill(shown,
        qr && h("div", { class: "qr-box" }, svgImage(qr, t("payCode.qrAlt"), "pay-code-qr")),
        barcode && h("div", { class: "barcode" }, svgImage(barcode, t("payCode.barcodeAlt"), "pay-code-barcode")),
        h("p", { class: "code-digits", testid: "pay-code-digits" }, code.replace(/(\d{4})(?=\d)/g, "$1 ")),
        h("p", { class: "muted" }, t("payCode.validUntil"), " ", formatDateTime(expiresAt)),
        disableForm());
    };

    // This step's code from the device's secret (the next step's once a charge spent this one),
    // drawn here; again at the next step, with or without the network.
    const showDeviceCode = async () => {
      clearTimeout(timer);
      const current = device;
      if (disposed || !current) return;
      const now = Date.now();
      const step = Math.max(stepAt(now, current.stepSeconds), current.usedStep + 1);
      const code = await paymentCodeAt(key, current, step);
      let images = [null, null];
      try {
        images = await Promise.all([qrSvg(code), barcodeSvg(code)]);
      } catch {
        // the drawing libraries could not load (first opened offline): the digits still work
      }
      if (disposed || device !== current) return; // disabled or replaced meanwhile
      shownStep = step;
      shown.dataset.step = String(step);
      showCode("device", code, images[0], images[1], new Date((step + 1) * current.stepSeconds * 1000).toISOString());
      const wait = Math.max(200, (step + 1) * current.stepSeconds * 1000 - Date.now() + 50);
      timer = setTimeout(() => showDeviceCode().catch(() => {}), wait);
    };

    let generation = 0; // answers to an older refresh (or after leaving the screen) are dropped
    let disposed = false;
    const refresh = async () => {
      clearTimeout(timer);
      const mine = ++generation;
      let data;
      try {
        data = await gql(CODE);
      } catch (error) {
        if (disposed || mine !== generation) return;
        if (device) return showDeviceCode(); // offline: the device derives the code alone
        throw error;
      }
      if (disposed || mine !== generation) return;
      userId = data.viewer.id;
      const code = data.paymentCode;
      device = code ? loadDeviceCode(userId) : null;
      // Off, or enabled again elsewhere (another secret): this device's copy is worthless.
      if (!code || (device && !code.code.startsWith(device.prefix))) {
        forgetDeviceCode(userId);
        device = null;
      }
      if (!code) {
        shown.dataset.source = "off";
        delete shown.dataset.step;
        fill(shown, h("p", {}, t("payCode.off")), enableForm());
        return;
      }
      if (device) {
        key = await hmacKey(device.secret);
        if (disposed || mine !== generation) return;
        return showDeviceCode();
      }
      showCode("server", code.code, code.qrSvg, code.barcodeSvg, code.expiresAt);
      // A new code when this one expires (a code is also spent by a charge: refresh then too).
      const wait = Math.max(1000, new Date(code.expiresAt).getTime() - Date.now() + 200);
      timer = setTimeout(() => refresh().catch(() => {}), wait);
    };

    /** A charge spent the code shown: the device moves on to the next step's code. */
    const spent = () => {
      if (!device || shownStep === null) return;
      device.usedStep = Math.max(device.usedStep, shownStep);
      saveDeviceCode(userId, device);
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
      if (!existing) {
        spent();
        refresh().catch(() => {});
      }
      const card = confirmCard(order);
      cards.set(order.id, card);
      if (existing) existing.replaceWith(card);
      else addFirst(charges, card);
      if (order.status === "PAID") {
        addFirst(charges, notice(t("payCode.paid", { amount: yuan(order.amount), merchant: order.merchant.name }), "pay-code-paid"));
        refresh().catch(() => {});
      }
    };

    preloadCodeImages().catch(() => {});
    await refresh();
    stop = live(CHARGES, {}, (event) => onCharge(event.paymentCodeCharges), { badge });
    add(root, h("div", { class: "card narrow" }, h("h1", {}, t("payCode.title"), " ", badge),
      h("p", { class: "muted" }, t("payCode.hint")), shown), charges);
    return () => {
      disposed = true;
      clearTimeout(timer);
      if (stop) stop();
    };
  },
};
