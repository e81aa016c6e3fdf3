// Pay a merchant by merchant number; a large or unusual payment may ask for an SMS code.
// A foreign merchant (its account in a currency other than CNY) is paid at a locked quote, shown
// with both currencies, the rate and a countdown before the payment password is asked.

import { h, fill, add } from "../dom.js";
import { t } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { field, form, submit, fieldError, succeeded } from "../forms.js";
import { yuan } from "../money.js";
import { transactionResult, TX_FIELDS } from "../transactions.js";
import { quoteBox, requestQuote, inCurrency, QUOTE_GONE, FX_DETAILS } from "../fxquote.js";
import {
  amountField, channelField, cardField, pinField, checkAmount, checkPin, attemptKeys, stepUpRow, stepUpCode, moneyAnswered,
} from "../payforms.js";

const MERCHANT = `query Merchant($merchantNo: String!) { merchant(merchantNo: $merchantNo) { merchantNo name category currency } }`;
const PAY = `mutation Pay($input: PayInput!) {
  pay(input: $input) { transaction { ${TX_FIELDS} ${FX_DETAILS} } account { balance available frozen } ${USER_ERROR} }
}`;

export default {
  name: "pay",
  title: "nav.pay",
  auth: true,
  render(root, { app, params }) {
    const keys = attemptKeys();
    const merchantName = h("div", { class: "muted", testid: "merchant-name" });
    const result = h("div", { testid: "pay-result" });
    let foreign = null; // the looked-up merchant when it is paid in another currency
    let lookedUp = null; // the merchant number foreign was looked up for
    const submitButton = submit(t("pay.submit"), "pay-submit");
    const quote = quoteBox(() => showQuoteStep(false));

    const payForm = form("pay-form", async (values, el) => {
      if (!values.merchantNo) return fieldError(el, "merchantNo", "VALIDATION_FAILED");
      if (!checkAmount(el, values.amount)) return;
      if (values.merchantNo !== lookedUp) await lookUp(); // submitted before the look-up answered
      if (foreign && !quote.quote()) {
        // first step for a foreign merchant: lock a rate and show it, then ask the password
        const asked = await requestQuote({ merchantNo: values.merchantNo, amount: values.amount, amountCurrency: values.amountCurrency || "CNY" });
        if (!succeeded(el, asked)) return;
        quote.show(asked.quote);
        showQuoteStep(Boolean(quote.quote()));
        return;
      }
      if (!checkPin(el, values.paymentPassword)) return;
      if (!foreign && values.channel === "BANK_CARD" && !values.bankCardId) return fieldError(el, "bankCardId", "VALIDATION_FAILED");
      const locked = foreign ? quote.quote() : null;
      const payload = await mutate("pay", PAY, {
        merchantNo: values.merchantNo,
        amount: locked ? locked.cnyAmount : values.amount,
        channel: locked ? "WALLET_BALANCE" : values.channel,
        bankCardId: !locked && values.channel === "BANK_CARD" ? values.bankCardId : null,
        paymentPassword: values.paymentPassword,
        verificationCode: stepUpCode(values),
        description: values.description || null,
        fxQuoteId: locked ? locked.id : null,
        idempotencyKey: keys.current(),
      });
      keys.answered();
      if (payload.errors.some((error) => QUOTE_GONE.has(error.code))) {
        quote.clear();
        showQuoteStep(false);
      }
      if (!moneyAnswered(el, payload)) return;
      if (foreign) {
        quote.clear();
        showQuoteStep(false);
      }
      fill(result, transactionResult(payload.transaction, "pay-done"), fxLine(payload.transaction));
    },
      field("merchantNo", t("pay.merchantNo"), { value: params[0] || "" }),
      merchantName,
      amountField(),
      field("amountCurrency", t("fx.amountCurrency"), { type: "select", options: [{ value: "CNY", label: "CNY" }] }),
      channelField(["WALLET_BALANCE", "BANK_CARD", "THIRD_PARTY"]),
      cardField(app.viewer),
      field("description", t("pay.description"), { placeholder: t("common.optional") }),
      quote.el,
      pinField(),
      stepUpRow(),
      h("div", { class: "actions" }, submitButton));

    const rowOf = (name) => payForm.querySelector(`[name=${name}]`).closest(".field");
    const cardRow = rowOf("bankCardId");
    const channelRow = rowOf("channel");
    const pinRow = rowOf("paymentPassword");
    const currencyRow = rowOf("amountCurrency");
    cardRow.hidden = true;
    currencyRow.hidden = true;
    payForm.querySelector("[name=channel]").addEventListener("change", (event) => (cardRow.hidden = foreign || event.target.value !== "BANK_CARD"));

    /** A foreign merchant: the password row only while a live quote is shown. */
    function showQuoteStep(quoted) {
      if (!foreign) {
        pinRow.hidden = false;
        submitButton.textContent = t("pay.submit");
        return;
      }
      pinRow.hidden = !quoted;
      submitButton.textContent = quoted ? t("fx.confirmPay") : t("fx.getQuote");
      if (!quoted) payForm.querySelector("[name=paymentPassword]").value = "";
    }

    const setMerchant = (merchant) => {
      foreign = merchant && merchant.currency && merchant.currency !== "CNY" ? merchant : null;
      quote.clear();
      const currencies = foreign ? ["CNY", foreign.currency] : ["CNY"];
      fill(payForm.querySelector("[name=amountCurrency]"), currencies.map((code) => h("option", { value: code }, code)));
      currencyRow.hidden = !foreign;
      rowOf("amount").querySelector("label").textContent = foreign ? t("fx.amount") : t("money.amount");
      channelRow.hidden = Boolean(foreign); // a foreign merchant is paid from the balance
      cardRow.hidden = Boolean(foreign) || payForm.querySelector("[name=channel]").value !== "BANK_CARD";
      payForm.dataset.crossBorder = foreign ? foreign.currency : "";
      showQuoteStep(false);
    };
    // a quote is for one merchant, amount and currency: changing any of them asks for a new one
    for (const name of ["amount", "amountCurrency"]) {
      payForm.querySelector(`[name=${name}]`).addEventListener("input", () => {
        if (!foreign) return;
        quote.clear();
        showQuoteStep(false);
      });
    }

    async function lookUp() {
      const merchantNo = payForm.querySelector("[name=merchantNo]").value.trim();
      lookedUp = merchantNo;
      if (!merchantNo) {
        setMerchant(null);
        return fill(merchantName);
      }
      try {
        const data = await gql(MERCHANT, { merchantNo });
        setMerchant(data.merchant);
        fill(merchantName, data.merchant ? `${data.merchant.name} · ${data.merchant.category}` : t("pay.unknownMerchant"),
          foreign ? h("span", { class: "badge fx-badge", testid: "fx-merchant-currency" }, t("fx.foreign", { currency: foreign.currency })) : null);
      } catch {
        fill(merchantName);
      }
    }
    payForm.querySelector("[name=merchantNo]").addEventListener("change", lookUp);
    if (params[0]) lookUp();
    add(root, h("div", { class: "card narrow" },
      h("h1", {}, t("pay.title")),
      h("p", { class: "muted" }, t("home.available"), " ", yuan(app.viewer.account.available)),
      payForm, result));
    return () => quote.stop();
  },
};

/** Both currencies of a cross-border payment, under its result. */
export function fxLine(tx) {
  if (!tx || !tx.fx) return null;
  return h("p", { class: "muted small", testid: "pay-done-fx" },
    t("fx.paid", { cny: yuan(tx.fx.cnyAmount), foreign: inCurrency(tx.fx.merchantAmount, tx.fx.merchantCurrency), rate: tx.fx.rate }));
}
