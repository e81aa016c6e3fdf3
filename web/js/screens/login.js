import { h, add } from "../dom.js";
import { t } from "../i18n.js";
import { mutate, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, fieldError } from "../forms.js";
import { AUTH_FIELDS, completeSignIn } from "./auth.js";
import { totpField } from "./totp.js";

const LOGIN = `mutation Login($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} ${USER_ERROR} } }`;

export default {
  name: "login",
  title: "nav.login",
  guestOnly: true,
  render(root) {
    const totpRow = h("div", { testid: "login-totp", hidden: true },
      totpField("totpCode", t("login.totpCode")), h("p", { class: "hint" }, t("login.totpHint")));
    const loginForm = form("login-form", async (values, el) => {
      if (!values.identifier) return fieldError(el, "identifier", "VALIDATION_FAILED");
      if (!values.password) return fieldError(el, "password", "VALIDATION_FAILED");
      const payload = await mutate("login", LOGIN, {
        identifier: values.identifier, password: values.password, totpCode: values.totpCode || null,
      });
      // an account with the dynamic token on answers TOTP_REQUIRED: ask for its code
      if (payload.errors.some((e) => ["TOTP_REQUIRED", "INVALID_TOTP_CODE", "TOTP_LOCKED"].includes(e.code))) totpRow.hidden = false;
      if (succeeded(el, payload)) completeSignIn(payload.auth, values.identifier);
    },
      field("identifier", t("login.identifier"), { placeholder: t("login.identifierHint"), autocomplete: "username" }),
      field("password", t("login.password"), { type: "password", autocomplete: "current-password" }),
      totpRow,
      h("div", { class: "actions" }, submit(t("login.submit"), "login-submit")));
    add(root, h("div", { class: "card narrow" },
      h("h1", {}, t("login.title")),
      loginForm,
      h("p", { class: "muted" },
        h("a", { href: "#/register", testid: "to-register" }, t("login.toRegister")), " · ",
        h("a", { href: "#/qr-login", testid: "to-qr-login" }, t("login.toQr")))));
  },
};
