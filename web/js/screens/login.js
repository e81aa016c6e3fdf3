import { h, add } from "../dom.js";
import { t } from "../i18n.js";
import { mutate, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, fieldError } from "../forms.js";
import { AUTH_FIELDS, completeSignIn } from "./auth.js";

const LOGIN = `mutation Login($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} ${USER_ERROR} } }`;

export default {
  name: "login",
  title: "nav.login",
  guestOnly: true,
  render(root) {
    const loginForm = form("login-form", async (values, el) => {
      if (!values.identifier) return fieldError(el, "identifier", "VALIDATION_FAILED");
      if (!values.password) return fieldError(el, "password", "VALIDATION_FAILED");
      const payload = await mutate("login", LOGIN, { identifier: values.identifier, password: values.password });
      if (succeeded(el, payload)) completeSignIn(payload.auth, values.identifier);
    },
      field("identifier", t("login.identifier"), { placeholder: t("login.identifierHint"), autocomplete: "username" }),
      field("password", t("login.password"), { type: "password", autocomplete: "current-password" }),
      h("div", { class: "actions" }, submit(t("login.submit"), "login-submit")));
    add(root, h("div", { class: "card narrow" },
      h("h1", {}, t("login.title")),
      loginForm,
      h("p", { class: "muted" },
        h("a", { href: "#/register", testid: "to-register" }, t("login.toRegister")), " · ",
        h("a", { href: "#/qr-login", testid: "to-qr-login" }, t("login.toQr")))));
  },
};
