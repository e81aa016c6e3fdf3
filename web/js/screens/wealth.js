// Wealth products (seed 7): filters, details with the risk disclosure, purchase,
// holdings and redemption. The questionnaire lives in wealth-quiz.js.

import { h, fill, formatDateTime, add, addFirst } from "../dom.js";
import { t, label } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, enumOptions, fieldError, notice } from "../forms.js";
import { yuan } from "../money.js";
import { amountField, pinField, checkAmount, checkPin, attemptKeys } from "../payforms.js";
import { quizCard } from "./wealth-quiz.js";
import { suggestionsCard } from "./wealth-suggestions.js";

const PRODUCT_FIELDS = "id code name type expectedAnnualReturn termDays riskLevel minPurchase status description riskDisclosure";
const HOLDING_FIELDS = `id principal accruedIncome redeemable status purchasedAt maturesAt product { id name code type termDays }`;
const PRODUCTS = `query Products($filter: WealthProductFilter, $after: String) {
  wealthProducts(filter: $filter, first: 20, after: $after) {
    edges { node { ${PRODUCT_FIELDS} } } pageInfo { hasNextPage endCursor } totalCount
  }
}`;
const HOLDINGS = `query Holdings { holdings { ${HOLDING_FIELDS} } }`;
const PURCHASE = `mutation Purchase($input: PurchaseWealthProductInput!) {
  purchaseWealthProduct(input: $input) { holding { ${HOLDING_FIELDS} } transaction { transactionNo status } ${USER_ERROR} }
}`;
const REDEEM = `mutation Redeem($input: RedeemWealthProductInput!) {
  redeemWealthProduct(input: $input) { holding { ${HOLDING_FIELDS} } transaction { transactionNo status amount } ${USER_ERROR} }
}`;
const TYPES = ["FIXED_DEPOSIT", "MONEY_MARKET_FUND", "BOND", "INSURANCE"];
const LEVELS = ["R1", "R2", "R3", "R4", "R5"];

export default {
  name: "wealth",
  title: "nav.wealth",
  auth: true,
  async render(root, { app }) {
    const products = h("ul", { class: "product-list", testid: "product-list" });
    const more = h("button", { type: "button", class: "secondary", testid: "products-more", hidden: true }, t("common.more"));
    const holdings = h("ul", { class: "holding-list", testid: "holding-list" });
    const tolerance = h("span", { testid: "risk-tolerance" }, app.viewer.riskTolerance || t("wealth.noTolerance"));
    let filter = {};
    let cursor = null;

    const loadProducts = async (append = false) => {
      const data = await gql(PRODUCTS, { filter, after: append ? cursor : null });
      const connection = data.wealthProducts;
      cursor = connection.pageInfo.endCursor;
      more.hidden = !connection.pageInfo.hasNextPage;
      const rows = connection.edges.map((edge) => productItem(edge.node));
      if (append) add(products, ...rows);
      else fill(products, rows.length ? rows : h("li", { class: "muted", testid: "products-empty" }, t("wealth.noProducts")));
    };

    const loadHoldings = async () => {
      const data = await gql(HOLDINGS);
      fill(holdings, data.holdings.length ? data.holdings.map(holdingItem) : h("li", { class: "muted" }, t("wealth.noHoldings")));
    };

    const productItem = (product) => {
      const detail = h("div", { class: "product-detail", hidden: true });
      const open = h("button", { type: "button", class: "link", testid: "product-open" }, t("wealth.buy"));
      open.addEventListener("click", () => {
        detail.hidden = !detail.hidden;
        if (!detail.hidden && !detail.firstChild) add(detail, purchaseForm(product));
      });
      return h("li", { class: "product", testid: "product", dataset: { code: product.code, risk: product.riskLevel } },
        h("div", { class: "product-head" },
          h("strong", {}, product.name), " ", h("span", { class: "badge" }, label("ProductType", product.type)), " ",
          h("span", { class: `badge risk-${product.riskLevel}` }, label("RiskLevel", product.riskLevel)), " ",
          h("span", { class: `badge badge-${product.status}` }, label("ProductStatus", product.status))),
        h("div", { class: "product-facts" },
          h("span", {}, t("wealth.return"), " ", h("strong", {}, `${product.expectedAnnualReturn}%`)), " · ",
          h("span", {}, t("wealth.term"), " ", product.termDays ? t("wealth.days", { days: product.termDays }) : t("wealth.openEnded")), " · ",
          h("span", {}, t("wealth.minPurchase"), " ", yuan(product.minPurchase))),
        h("p", { class: "muted" }, product.description),
        product.status === "ON_SALE" ? open : null,
        detail);
    };

    const purchaseForm = (product) => {
      const keys = attemptKeys();
      return form("purchase-form", async (values, el) => {
        if (!checkAmount(el, values.amount) || !checkPin(el, values.paymentPassword)) return;
        if (!values.acceptRiskDisclosure) return fieldError(el, "acceptRiskDisclosure", "RISK_DISCLOSURE_NOT_ACCEPTED");
        const payload = await mutate("purchaseWealthProduct", PURCHASE, {
          productId: product.id,
          amount: values.amount,
          paymentPassword: values.paymentPassword,
          acceptRiskDisclosure: values.acceptRiskDisclosure,
          idempotencyKey: keys.current(),
        });
        keys.answered();
        el.querySelector("[name=paymentPassword]").value = "";
        if (!succeeded(el, payload)) return;
        el.replaceWith(notice(t("wealth.purchased", { transactionNo: payload.transaction ? payload.transaction.transactionNo : "" }), "purchase-done"));
        await loadHoldings();
      },
        h("div", { class: "disclosure", testid: "risk-disclosure" }, h("strong", {}, t("wealth.disclosure")), h("p", {}, product.riskDisclosure)),
        amountField("amount", { hint: t("wealth.minHint", { amount: product.minPurchase }) }),
        pinField(),
        field("acceptRiskDisclosure", t("wealth.acceptDisclosure"), { type: "checkbox" }),
        h("div", { class: "actions" }, submit(t("wealth.confirmBuy"), "purchase-submit")));
    };

    const holdingItem = (holding) => {
      const keys = attemptKeys();
      const redeemForm = form("redeem-form", async (values, el) => {
        if (!checkAmount(el, values.amount, "amount", { optional: true }) || !checkPin(el, values.paymentPassword)) return;
        const payload = await mutate("redeemWealthProduct", REDEEM, {
          holdingId: holding.id,
          amount: values.amount || null,
          paymentPassword: values.paymentPassword,
          idempotencyKey: keys.current(),
        });
        keys.answered();
        el.querySelector("[name=paymentPassword]").value = "";
        if (!succeeded(el, payload)) return;
        await loadHoldings();
        addFirst(holdings, h("li", {}, notice(t("wealth.redeemed", { amount: payload.transaction ? yuan(payload.transaction.amount) : "" }), "redeem-done")));
      },
        amountField("amount", { hint: t("wealth.redeemHint", { amount: holding.redeemable }) }),
        pinField(),
        h("div", { class: "actions" }, submit(t("wealth.redeem"), "redeem-submit")));
      redeemForm.hidden = true;
      const toggle = h("button", { type: "button", class: "link", testid: "holding-redeem" }, t("wealth.redeem"));
      toggle.addEventListener("click", () => (redeemForm.hidden = !redeemForm.hidden));
      return h("li", { class: "holding", testid: "holding", dataset: { status: holding.status } },
        h("strong", {}, holding.product.name), " ", h("span", { class: "badge" }, label("HoldingStatus", holding.status)),
        h("div", { class: "muted" },
          t("wealth.principal"), " ", yuan(holding.principal), " · ", t("wealth.income"), " ", yuan(holding.accruedIncome), " · ",
          t("wealth.redeemable"), " ", h("span", { testid: "holding-redeemable" }, yuan(holding.redeemable)), " · ",
          t("wealth.purchasedAt"), " ", formatDateTime(holding.purchasedAt),
          holding.maturesAt ? [" · ", t("wealth.maturesAt"), " ", formatDateTime(holding.maturesAt)] : null),
        holding.status === "HOLDING" ? [toggle, redeemForm] : null);
    };

    const filterForm = form("wealth-filter", async (values, el) => {
      if (values.minExpectedReturn && !/^\d{1,3}(\.\d{1,4})?$/.test(values.minExpectedReturn)) return fieldError(el, "minExpectedReturn", "VALIDATION_FAILED");
      if (values.maxTermDays && !/^\d{1,5}$/.test(values.maxTermDays)) return fieldError(el, "maxTermDays", "VALIDATION_FAILED");
      filter = Object.fromEntries(Object.entries({
        types: values.types.length ? values.types : null,
        riskLevels: values.riskLevels.length ? values.riskLevels : null,
        minExpectedReturn: values.minExpectedReturn || null,
        maxTermDays: values.maxTermDays ? Number.parseInt(values.maxTermDays, 10) : null,
        onSaleOnly: values.onSaleOnly || null,
      }).filter(([, value]) => value !== null));
      await loadProducts();
    },
      field("types", t("wealth.types"), { type: "checkboxes", options: enumOptions("ProductType", TYPES) }),
      field("riskLevels", t("wealth.riskLevels"), { type: "checkboxes", options: enumOptions("RiskLevel", LEVELS) }),
      h("div", { class: "grid2" },
        field("minExpectedReturn", t("wealth.minReturn"), { inputmode: "decimal", placeholder: "2.5" }),
        field("maxTermDays", t("wealth.maxTerm"), { inputmode: "numeric", placeholder: "90" })),
      field("onSaleOnly", t("wealth.onSaleOnly"), { type: "checkbox" }),
      h("div", { class: "actions" }, submit(t("wealth.filter"), "wealth-filter-submit")));

    more.addEventListener("click", () => loadProducts(true));
    const suggestions = await suggestionsCard(purchaseForm);
    add(root, 
      h("div", { class: "card" }, h("h1", {}, t("wealth.title")), h("p", {}, t("wealth.tolerance"), " ", tolerance), filterForm),
      suggestions.card,
      h("div", { class: "card" }, h("h2", {}, t("wealth.products")), products, more),
      h("div", { class: "card" }, h("h2", {}, t("wealth.holdings")), holdings),
      await quizCard((value) => {
        app.viewer.riskTolerance = value;
        tolerance.textContent = value;
        suggestions.refresh().catch(() => {}); // a new tolerance changes what fits
      }, { folded: Boolean(app.viewer.riskTolerance) }));
    await Promise.all([loadProducts(), loadHoldings()]);
  },
};
