// Monthly statement (月度账单, guide 5.1, 8.1.5): a China month's opening and closing balance,
// income and spending, by transaction type, by counterparty and the top merchants; charts of
// spending by category per month and of the balance over time (web/js/charts.js); a CSV or PDF
// export of any period (signed, short-lived link; no token needed).

import { h, fill, add, formatDateTime } from "../dom.js";
import { t, label } from "../i18n.js";
import { gql } from "../api.js";
import { field, form, submit, fieldError, showException } from "../forms.js";
import { yuan } from "../money.js";
import { spendingChart, balanceChart } from "../charts.js";

const MONTHS_LISTED = 12; // the API keeps five years; the picker offers the last twelve months
const MONTHS_CHARTED = 6;
const BREAKDOWN = "key income spending count";
const DETAIL = `opening: openingBalance closing: closingBalance income spending month
  byType { ${BREAKDOWN} } byCounterparty { ${BREAKDOWN} } topMerchants { ${BREAKDOWN} }`;
const EXPORT = `query StatementExport($from: String!, $to: String!, $format: StatementExportFormat!) {
  statementExport(from: $from, to: $to, format: $format) { url format expiresAt }
}`;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function pad(n) {
  return String(n).padStart(2, "0");
}

/** "YYYY-MM" of the China month `back` months before the current one. */
export function chinaMonth(back = 0) {
  const now = new Date(Date.now() + 8 * 3600 * 1000); // China time has no daylight saving
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
  return `${first.getUTCFullYear()}-${pad(first.getUTCMonth() + 1)}`;
}

function monthsEndingAt(month, count) {
  const [year, mon] = month.split("-").map(Number);
  return Array.from({ length: count }, (_, i) => {
    const first = new Date(Date.UTC(year, mon - 1 - (count - 1 - i), 1));
    return `${first.getUTCFullYear()}-${pad(first.getUTCMonth() + 1)}`;
  });
}

function lastDayOf(month) {
  const [year, mon] = month.split("-").map(Number);
  return `${month}-${pad(new Date(Date.UTC(year, mon, 0)).getUTCDate())}`;
}

/** One query: the picked month in full, and the months of the charts in brief (aliases m0..m5). */
function statementsQuery(months) {
  const brief = months.map((m, i) => `m${i}: monthlyStatement(month: "${m}") { month closingBalance byType { key spending } }`);
  return `query MonthlyStatements($month: String!) { picked: monthlyStatement(month: $month) { ${DETAIL} } ${brief.join(" ")} }`;
}

function breakdownTable(rows, testid, keyLabel) {
  if (!rows.length) return h("p", { class: "muted", testid: `${testid}-empty` }, t("monthly.none"));
  return h("table", { class: "table", testid },
    h("thead", {}, h("tr", {}, h("th", {}, t("monthly.item")), h("th", {}, t("monthly.income")),
      h("th", {}, t("monthly.spending")), h("th", {}, t("monthly.count")))),
    h("tbody", {}, rows.map((row) => h("tr", { testid: `${testid}-row`, dataset: { key: row.key } },
      h("td", {}, keyLabel(row.key)), h("td", {}, yuan(row.income)), h("td", {}, yuan(row.spending)), h("td", {}, String(row.count))))));
}

function figures(statement) {
  const item = (name, value) => [h("dt", {}, t(`monthly.${name}`)), h("dd", { testid: `monthly-${name}` }, yuan(value))];
  return h("dl", { class: "facts", testid: "monthly-figures", dataset: { month: statement.month } },
    item("opening", statement.opening), item("closing", statement.closing),
    item("income", statement.income), item("spending", statement.spending));
}

/** Spending per transaction type (series) for each month, as the chart takes it. */
function spendingSeries(briefs) {
  const types = [];
  for (const brief of briefs) for (const row of brief.byType) if (row.spending !== "0.00" && !types.includes(row.key)) types.push(row.key);
  return types.map((type) => ({
    label: label("TransactionType", type),
    values: briefs.map((brief) => (brief.byType.find((row) => row.key === type) || { spending: "0.00" }).spending),
  }));
}

function exportCard() {
  const result = h("div", { testid: "monthly-export" });
  const exportForm = form("monthly-export-form", async (values, el, submitter) => {
    if (!DAY.test(values.from)) return fieldError(el, "from", "VALIDATION_FAILED");
    if (!DAY.test(values.to)) return fieldError(el, "to", "VALIDATION_FAILED");
    const format = submitter && submitter.value === "PDF" ? "PDF" : "CSV";
    fill(result);
    const data = await gql(EXPORT, { from: values.from, to: values.to, format });
    const link = data.statementExport;
    const kind = link.format.toLowerCase();
    fill(result, h("p", {},
      h("a", { href: link.url, download: `fenpay-${values.from}-${values.to}.${kind}`, testid: `monthly-${kind}` },
        t(kind === "pdf" ? "monthly.downloadPdf" : "monthly.downloadCsv")),
      " ", h("span", { class: "muted" }, t("monthly.linkExpires", { time: formatDateTime(link.expiresAt) }))));
  },
    h("div", { class: "inline" },
      field("from", t("monthly.from"), { value: `${chinaMonth(0)}-01`, placeholder: "YYYY-MM-DD", maxlength: 10 }),
      field("to", t("monthly.to"), { value: lastDayOf(chinaMonth(0)), placeholder: "YYYY-MM-DD", maxlength: 10 })),
    h("div", { class: "actions" },
      submit(t("monthly.exportCsv"), "monthly-export-submit", { name: "format", value: "CSV" }), " ",
      submit(t("monthly.exportPdf"), "monthly-export-pdf", { name: "format", value: "PDF", class: "secondary" })));
  return h("div", { class: "card" }, h("h2", {}, t("monthly.exportTitle")), h("p", { class: "muted" }, t("monthly.exportHint")), exportForm, result);
}

export default {
  name: "statement",
  title: "nav.statement",
  auth: true,
  async render(root, { params }) {
    const months = Array.from({ length: MONTHS_LISTED }, (_, i) => chinaMonth(i));
    const picked = months.includes(params[0]) ? params[0] : months[0];
    const body = h("div", { testid: "monthly-body" });
    const spendingCanvas = h("canvas", { testid: "chart-spending", role: "img", "aria-label": t("monthly.spendingChart") });
    const balanceCanvas = h("canvas", { testid: "chart-balance", role: "img", "aria-label": t("monthly.balanceChart") });
    const charts = [];

    const pick = form("monthly-form", async (values) => {
      // the month is in the route, so a reload or the back button shows the same statement
      location.hash = `#/statement/${values.month}`;
    },
      h("div", { class: "inline" },
        field("month", t("monthly.month"), { type: "select", options: months.map((m) => ({ value: m, label: m })), value: picked }),
        h("div", { class: "actions" }, submit(t("monthly.show"), "monthly-submit"))));

    const chartMonths = monthsEndingAt(picked, MONTHS_CHARTED);
    const data = await gql(statementsQuery(chartMonths), { month: picked });
    const statement = data.picked;
    const briefs = chartMonths.map((_, i) => data[`m${i}`]);
    fill(body,
      figures(statement),
      h("div", { class: "chart-box" }, spendingCanvas),
      h("div", { class: "chart-box" }, balanceCanvas),
      h("h2", {}, t("monthly.byType")),
      breakdownTable(statement.byType, "monthly-by-type", (key) => label("TransactionType", key)),
      h("h2", {}, t("monthly.byCounterparty")),
      breakdownTable(statement.byCounterparty, "monthly-by-counterparty", (key) => key),
      h("h2", {}, t("monthly.topMerchants")),
      breakdownTable(statement.topMerchants, "monthly-top-merchants", (key) => key));

    add(root, h("div", { class: "card" }, h("h1", {}, t("monthly.title")), pick, body), exportCard());
    // drawn once the canvases are in the page (the router inserts `root` after render returns)
    queueMicrotask(async () => {
      try {
        charts.push(await spendingChart(spendingCanvas, chartMonths, spendingSeries(briefs), t("monthly.spendingChart")));
        charts.push(await balanceChart(balanceCanvas, chartMonths, briefs.map((b) => b.closingBalance), t("monthly.balanceChart"), t("monthly.closing")));
        body.dataset.charts = "drawn";
      } catch (error) {
        showException(pick, error);
      }
    });
    return () => charts.forEach((chart) => chart.destroy());
  },
};
