// Pieces shared by the money forms: amount, channel, bank card, payment password,
// the SMS step-up and the idempotency key of one attempt.

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { USER_ERROR } from "./api.js";
import { field, enumOptions, fieldError, showErrors } from "./forms.js";
import { codeField } from "./codes.js";
import { isAmount } from "./money.js";
import { newIdempotencyKey } from "./dom.js";
import { session, PHONE } from "./session.js";
import { TX_FIELDS } from "./transactions.js";
import { app } from "./app.js";

export const TX_PAYLOAD = `transaction { ${TX_FIELDS} } account { balance available frozen } ${USER_ERROR}`;

export function amountField(name = "amount", opts = {}) {
  return field(name, opts.label || t("money.amount"), { inputmode: "decimal", placeholder: opts.placeholder || "0.00", hint: opts.hint });
}

export function channelField(channels, value) {
  return field("channel", t("money.channel"), { type: "select", options: enumOptions("Channel", channels), value: value || channels[0] });
}

export function cardField(viewer) {
  const cards = viewer.bankCards || [];
  return field("bankCardId", t("money.bankCard"), {
    type: "select",
    placeholder: cards.length ? undefined : t("money.noCards"),
    options: cards.map((card) => ({ value: card.id, label: `${card.bankName} ${card.maskedNumber}` })),
    value: (cards.find((card) => card.isDefault) || cards[0] || {}).id,
  });
}

export function pinField(name = "paymentPassword", labelText) {
  return field(name, labelText || t("money.paymentPassword"), { type: "password", inputmode: "numeric", maxlength: 6, autocomplete: "off", placeholder: "······" });
}

/** Client-side format check of an amount; shows INVALID_AMOUNT on the field. */
export function checkAmount(el, value, name = "amount", { optional = false } = {}) {
  if (optional && !value) return true;
  if (isAmount(value)) return true;
  fieldError(el, name, "INVALID_AMOUNT");
  return false;
}

export function checkPin(el, value, name = "paymentPassword") {
  if (/^\d{6}$/.test(value)) return true;
  fieldError(el, name, "INVALID_PAYMENT_PASSWORD");
  return false;
}

/**
 * The idempotency key of the current attempt: reused when the outcome was unknown
 * (network failure), replaced once the server gave an answer.
 */
export function attemptKeys() {
  let key = null;
  return {
    current() {
      key = key || newIdempotencyKey();
      return key;
    },
    answered() {
      key = null;
    },
  };
}

/** A hidden "SMS code" row (or the dynamic token's code), revealed when the server answers VERIFICATION_REQUIRED. */
export function stepUpRow() {
  const phoneOf = (form) => {
    const phone = form.querySelector("[name=codePhone]").value.trim();
    return PHONE.test(phone) ? phone : null;
  };
  return h("div", { class: "step-up", testid: "step-up", hidden: true },
    h("p", { class: "notice notice-info" }, t("money.stepUp")),
    // with the dynamic token on, its current code stands in for the SMS code
    app.viewer && app.viewer.totpEnabled ? h("p", { class: "hint", testid: "step-up-totp" }, t("money.stepUpTotp")) : null,
    field("codePhone", t("money.stepUpPhone"), { type: "tel", value: session.phone || "", maxlength: 11 }),
    codeField("PAYMENT", phoneOf, { recipientField: "codePhone" }));
}

/** Reveal the step-up row when the errors ask for a code; true when they did. */
export function revealStepUp(el, errors) {
  if (!errors.some((error) => error.code === "VERIFICATION_REQUIRED")) return false;
  const row = el.querySelector(".step-up");
  if (row) row.hidden = false;
  return true;
}

export function stepUpCode(values) {
  return values.verificationCode ? values.verificationCode : null;
}

/** After a successful money mutation: keep the cached balance current. */
export function applyAccount(payload) {
  if (payload.account && app.viewer) Object.assign(app.viewer.account, payload.account);
}

/**
 * The common end of a money mutation's answer. With errors: shows them, reveals the step-up row when
 * they ask for a code (keeping the password typed) or clears the secrets otherwise, and returns false.
 * Without: clears the secrets, updates the cached balance and returns true.
 */
export function moneyAnswered(el, payload) {
  if (payload.errors.length) {
    const stepUp = revealStepUp(el, payload.errors);
    showErrors(el, payload.errors);
    if (!stepUp) resetSecrets(el);
    return false;
  }
  resetSecrets(el);
  applyAccount(payload);
  return true;
}

export function resetSecrets(el) {
  el.querySelectorAll("[name=paymentPassword], [name=verificationCode]").forEach((input) => (input.value = ""));
  const row = el.querySelector(".step-up");
  if (row) row.hidden = true;
}
