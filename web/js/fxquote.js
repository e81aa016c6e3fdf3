// The locked exchange-rate quote of a payment to a foreign merchant: both currencies, the
// rate and a countdown to the quote's expiry, shown before the payment password is asked.

import { h, fill } from "./dom.js";
import { t } from "./i18n.js";
import { mutate, USER_ERROR } from "./api.js";
import { yuan } from "./money.js";

export const FX_QUOTE_FIELDS = "id merchantNo merchantName cnyAmount merchantAmount merchantCurrency rate expiresAt used";
export const FX_DETAILS = "fx { cnyAmount merchantAmount merchantCurrency rate }";
const CREATE = `mutation CreateFxQuote($input: CreateFxQuoteInput!) {
  createFxQuote(input: $input) { quote { ${FX_QUOTE_FIELDS} } ${USER_ERROR} }
}`;
/** Codes after which the quote can no longer pay: ask for a new one. */
export const QUOTE_GONE = new Set(["FX_QUOTE_EXPIRED", "FX_QUOTE_USED", "FX_QUOTE_REQUIRED"]);

/** Ask for a quote; returns the payload ({quote, errors}). input: {merchantNo | payload, amount, amountCurrency}. */
export function requestQuote(input) {
  return mutate("createFxQuote", CREATE, input);
}

/** "USD 14.08", "JPY 1500". */
export function inCurrency(amount, currency) {
  return `${currency} ${amount}`;
}

function secondsLeft(quote) {
  return Math.max(0, Math.ceil((Date.parse(quote.expiresAt) - Date.now()) / 1000));
}

/**
 * The quote panel. `onExpire()` runs once when the shown quote's time is up.
 * Returns {el, show(quote), clear(), quote() -> the live quote or null, stop()}.
 */
export function quoteBox(onExpire) {
  const el = h("div", { class: "fx-quote notice notice-info", testid: "fx-quote", hidden: true, role: "status" });
  let current = null;
  let timer = null;

  const stopTimer = () => {
    clearInterval(timer);
    timer = null;
  };
  const tick = (countdown) => {
    const left = secondsLeft(current);
    countdown.textContent = t("fx.secondsLeft", { seconds: left });
    countdown.dataset.seconds = String(left);
    if (left > 0) return;
    stopTimer();
    el.dataset.state = "expired";
    fill(countdown, t("fx.expired"));
    current = null;
    onExpire();
  };

  return {
    el,
    show(quote) {
      stopTimer();
      current = quote;
      el.hidden = false;
      el.dataset.state = "live";
      el.dataset.quoteId = quote.id;
      const countdown = h("span", { class: "fx-countdown", testid: "fx-countdown" });
      fill(el,
        h("div", { class: "fx-title" }, h("strong", {}, t("fx.title")), " ", quote.merchantName),
        h("div", { class: "fx-amounts" },
          h("span", {}, t("fx.youPay"), " ", h("strong", { testid: "fx-cny" }, yuan(quote.cnyAmount))), " · ",
          h("span", {}, t("fx.merchantGets"), " ", h("strong", { testid: "fx-merchant-amount" }, inCurrency(quote.merchantAmount, quote.merchantCurrency)))),
        h("div", { class: "fx-rate" }, t("fx.rate"), " ",
          h("span", { testid: "fx-rate" }, t("fx.rateText", { currency: quote.merchantCurrency, rate: quote.rate }))),
        h("div", { class: "fx-expiry" }, t("fx.lockedFor"), " ", countdown));
      tick(countdown);
      if (current) timer = setInterval(() => tick(countdown), 1000);
    },
    clear() {
      stopTimer();
      current = null;
      el.hidden = true;
      delete el.dataset.quoteId;
      fill(el);
    },
    quote() {
      return current && secondsLeft(current) > 0 ? current : null;
    },
    stop: stopTimer,
  };
}
