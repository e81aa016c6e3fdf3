// Personal information (PIPL articles 45 and 47; the guide's privacy policy, 10.2): a copy of
// everything fenpay holds about the user (JSON archive behind a signed, short-lived link,
// after the login password), and closing the account (login password + a CLOSE_ACCOUNT SMS
// code or the dynamic token's code), refused while the obligations the API names remain.

import { h, fill, add, formatDateTime } from "../dom.js";
import { t, label } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, fieldError, notice } from "../forms.js";
import { codeField } from "../codes.js";
import { session, PHONE } from "../session.js";

const EXPORT = `mutation ExportMyData($input: ExportMyDataInput!) { exportMyData(input: $input) { url expiresAt ${USER_ERROR} } }`;
const OBLIGATIONS = `query ClosureObligations { accountClosureObligations }`;
const CLOSE = `mutation CloseAccount($input: CloseAccountInput!) { closeAccount(input: $input) { ok obligations ${USER_ERROR} } }`;

function exportCard() {
  const result = h("div", { testid: "data-export" });
  const exportForm = form("data-export-form", async (values, el) => {
    if (!values.password) return fieldError(el, "password", "VALIDATION_FAILED");
    const payload = await mutate("exportMyData", EXPORT, { password: values.password });
    el.reset();
    if (!succeeded(el, payload)) return;
    fill(result, h("p", {},
      h("a", { href: payload.url, download: "fenpay-my-data.json", testid: "data-export-link" }, t("privacy.download")),
      " ", h("span", { class: "muted" }, t("privacy.linkExpires", { time: formatDateTime(payload.expiresAt) }))));
  },
    field("password", t("login.password"), { type: "password", autocomplete: "current-password", idPrefix: "export-" }),
    h("div", { class: "actions" }, submit(t("privacy.export"), "data-export-submit")));
  return h("div", { class: "card narrow" }, h("h2", {}, t("privacy.exportTitle")),
    h("p", { class: "muted" }, t("privacy.exportHint")), exportForm, result);
}

function obligationList(list, obligations) {
  if (!obligations.length) {
    fill(list, h("p", { class: "muted", testid: "closure-clear" }, t("privacy.noObligations")));
    return;
  }
  fill(list, h("p", {}, t("privacy.obligationsTitle")),
    h("ul", {}, obligations.map((kind) => h("li", { testid: "obligation", dataset: { obligation: kind } }, label("AccountObligation", kind)))));
}

function closeCard(viewer, obligations) {
  const list = h("div", { testid: "closure-obligations" });
  obligationList(list, obligations);
  const closeForm = form("close-account-form", async (values, el) => {
    if (!values.password) return fieldError(el, "password", "VALIDATION_FAILED");
    if (!values.verificationCode) return fieldError(el, "verificationCode", "VERIFICATION_REQUIRED");
    if (!values.understood) return fieldError(el, "understood", "VALIDATION_FAILED");
    const payload = await mutate("closeAccount", CLOSE, { password: values.password, verificationCode: values.verificationCode });
    el.querySelectorAll("[name=password], [name=verificationCode]").forEach((input) => (input.value = ""));
    if (payload.obligations && payload.obligations.length) obligationList(list, payload.obligations);
    if (!succeeded(el, payload)) return;
    // every session is revoked: forget the tokens here too (the app goes to the sign-in screen)
    session.signOut();
  },
    field("password", t("login.password"), { type: "password", autocomplete: "current-password", idPrefix: "close-" }),
    // the viewer's phone is masked in the API: the code goes to the number the user types (the signed-in one)
    field("codePhone", t("money.stepUpPhone"), { type: "tel", value: session.phone || "", maxlength: 11 }),
    codeField("CLOSE_ACCOUNT", (el) => {
      const phone = el.querySelector("[name=codePhone]").value.trim();
      return PHONE.test(phone) ? phone : null;
    }, { recipientField: "codePhone" }),
    viewer.totpEnabled ? h("p", { class: "hint", testid: "close-totp" }, t("privacy.totpInstead")) : null,
    field("understood", t("privacy.understood"), { type: "checkbox" }),
    h("div", { class: "actions" }, submit(t("privacy.close"), "close-account-submit", { class: "danger" })));
  return h("div", { class: "card narrow", testid: "close-account" }, h("h2", {}, t("privacy.closeTitle")),
    h("p", { class: "muted" }, t("privacy.closeHint")), list, closeForm);
}

export default {
  name: "privacy",
  title: "nav.privacy",
  auth: true,
  async render(root, { app }) {
    const data = await gql(OBLIGATIONS);
    add(root, exportCard(), closeCard(app.viewer, data.accountClosureObligations));
  },
};
