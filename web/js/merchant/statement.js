// Merchant console: the daily statement (对账单) of a China day: its figures and the link to
// download the CSV (signed, short-lived; no token needed).

import { h, fill } from "../dom.js";
import { t } from "../i18n.js";
import { gql } from "../api.js";
import { field, form, submit, fieldError } from "../forms.js";
import { yuan } from "../money.js";

const STATEMENT = `query MerchantStatement($merchantNo: String!, $date: String!) { merchant(merchantNo: $merchantNo) {
  statement(date: $date) { date orderCount grossAmount refundAmount feeAmount netAmount payoutAmount ledgerChange csvUrl } } }`;

const FIGURES = ["grossAmount", "refundAmount", "feeAmount", "netAmount", "payoutAmount", "ledgerChange"];

/** Yesterday in China time (UTC+8, no daylight saving) as YYYY-MM-DD: the latest finished day. */
export function yesterdayInChina(now = Date.now()) {
  return new Date(now + 8 * 3600e3 - 86400e3).toISOString().slice(0, 10);
}

/** The statement card of ``merchant`` ({merchantNo}). */
export function statementCard(merchant) {
  const result = h("div", { testid: "statement" });
  const show = (statement, date) => {
    if (!statement) {
      fill(result, h("p", { class: "muted", testid: "statement-none" }, t("statement.none", { date })));
      return;
    }
    fill(result,
      h("dl", { class: "figures", dataset: { date: statement.date } },
        h("dt", {}, t("statement.orderCount")), h("dd", { testid: "statement-orderCount" }, String(statement.orderCount)),
        FIGURES.flatMap((name) => [h("dt", {}, t(`statement.${name}`)),
          h("dd", { testid: `statement-${name}` }, yuan(statement[name]))])),
      h("p", {}, h("a", { href: statement.csvUrl, download: `statement-${statement.date}.csv`, testid: "statement-csv" },
        t("statement.downloadCsv"))));
  };
  const pick = form("statement-form", async (values, el) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(values.date)) return fieldError(el, "date", "VALIDATION_FAILED");
    const data = await gql(STATEMENT, { merchantNo: merchant.merchantNo, date: values.date });
    show(data.merchant.statement, values.date);
  },
    field("date", t("statement.date"), { value: yesterdayInChina(), placeholder: "YYYY-MM-DD", maxlength: 10 }),
    h("div", { class: "actions" }, submit(t("statement.show"), "statement-submit")));
  return h("div", { class: "card", testid: "statements" }, h("h2", {}, t("statement.title")), pick, result);
}
