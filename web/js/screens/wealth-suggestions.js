// Suggestions on the wealth page (guide 1.2.5): products that fit the user's idle money and
// risk tolerance, each with the server's reason in plain words, and the switch to turn them off.

import { h, fill } from "../dom.js";
import { t, label } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { showErrors, showException } from "../forms.js";
import { yuan } from "../money.js";

const SUGGESTION_FIELDS = `enabled riskTolerance idleDays idleAmount
  items { reason product { id code name type expectedAnnualReturn termDays riskLevel minPurchase status description riskDisclosure } }`;
const SUGGESTIONS = `query WealthSuggestions { wealthSuggestions { ${SUGGESTION_FIELDS} } }`;
const TURN = `mutation SetWealthSuggestions($input: SetWealthSuggestionsInput!) {
  setWealthSuggestions(input: $input) { suggestions { ${SUGGESTION_FIELDS} } ${USER_ERROR} }
}`;

/**
 * The card and `refresh()` (after the risk tolerance changed); `purchaseForm(product)` gives the
 * form shown when the user picks a suggested product.
 */
export async function suggestionsCard(purchaseForm) {
  const body = h("div", { testid: "suggestions-body" });
  const toggle = h("input", { type: "checkbox", name: "suggestionsEnabled", testid: "suggestions-switch" });
  const error = h("div", { class: "form", testid: "suggestions-form" }, h("div", { class: "form-error", role: "alert" }));
  const card = h("div", { class: "card suggestions", testid: "suggestions" },
    h("h2", {}, t("sg.title")),
    h("label", { class: "switch" }, toggle, " ", t("sg.switch")),
    error, body);

  const show = (found) => {
    toggle.checked = found.enabled;
    card.dataset.enabled = String(found.enabled);
    if (!found.enabled) return fill(body, h("p", { class: "muted", testid: "suggestions-off" }, t("sg.off")));
    if (!found.riskTolerance) return fill(body, h("p", { class: "muted", testid: "suggestions-no-tolerance" }, t("sg.noTolerance")));
    return fill(body,
      found.idleDays !== null ? h("p", { class: "muted small", testid: "suggestions-habits" },
        t("sg.habits", { days: found.idleDays, amount: yuan(found.idleAmount) })) : null,
      found.items.length
        ? h("ul", { class: "product-list", testid: "suggestion-list" }, found.items.map((item) => suggestionItem(item, purchaseForm)))
        : h("p", { class: "muted", testid: "suggestions-none" }, t("sg.none")));
  };

  toggle.addEventListener("change", async () => {
    const wanted = toggle.checked;
    toggle.disabled = true;
    try {
      const payload = await mutate("setWealthSuggestions", TURN, { enabled: wanted });
      if (payload.errors.length) {
        toggle.checked = !wanted;
        showErrors(error, payload.errors);
      } else {
        show(payload.suggestions);
      }
    } catch (failure) {
      toggle.checked = !wanted;
      showException(error, failure);
    } finally {
      toggle.disabled = false;
    }
  });

  const refresh = async () => show((await gql(SUGGESTIONS)).wealthSuggestions);
  await refresh();
  return { card, refresh };
}

function suggestionItem(item, purchaseForm) {
  const product = item.product;
  const detail = h("div", { class: "product-detail", hidden: true });
  const buy = h("button", { type: "button", class: "link", testid: "suggestion-buy" }, t("sg.buy"));
  buy.addEventListener("click", () => {
    detail.hidden = !detail.hidden;
    if (!detail.hidden && !detail.firstChild) fill(detail, purchaseForm(product));
  });
  return h("li", { class: "product suggestion", testid: "suggestion", dataset: { code: product.code, risk: product.riskLevel } },
    h("div", { class: "product-head" },
      h("strong", {}, product.name), " ", h("span", { class: "badge" }, label("ProductType", product.type)), " ",
      h("span", { class: `badge risk-${product.riskLevel}` }, label("RiskLevel", product.riskLevel))),
    h("div", { class: "product-facts" },
      h("span", {}, t("wealth.return"), " ", h("strong", {}, `${product.expectedAnnualReturn}%`)), " · ",
      h("span", {}, t("wealth.term"), " ", product.termDays ? t("wealth.days", { days: product.termDays }) : t("wealth.openEnded")), " · ",
      h("span", {}, t("wealth.minPurchase"), " ", yuan(product.minPurchase))),
    h("p", { class: "reason", testid: "suggestion-reason" }, item.reason),
    buy, detail);
}
