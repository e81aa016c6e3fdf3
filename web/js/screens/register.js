import { h, add } from "../dom.js";
import { t } from "../i18n.js";
import { mutate, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, showErrors } from "../forms.js";
import { codeField } from "../codes.js";
import { PHONE } from "../session.js";
import { AUTH_FIELDS, completeSignIn } from "./auth.js";

const REGISTER = `mutation Register($input: RegisterInput!) { register(input: $input) { user { id } ${USER_ERROR} } }`;
const LOGIN = `mutation Login($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} ${USER_ERROR} } }`;

export default {
  name: "register",
  title: "nav.register",
  guestOnly: true,
  render(root) {
    const phoneOf = (el) => {
      const phone = el.querySelector("[name=phone]").value.trim();
      return PHONE.test(phone) ? phone : null;
    };
    const registerForm = form("register-form", async (values, el) => {
      // every field's problem at once, like the server's answer
      const problems = [];
      if (!PHONE.test(values.phone)) problems.push(["phone", "VALIDATION_FAILED"]);
      if (!/^\d{6}$/.test(values.verificationCode)) problems.push(["verificationCode", "INVALID_VERIFICATION_CODE"]);
      if (values.password !== values.confirmPassword) problems.push(["confirmPassword", "PASSWORD_MISMATCH"]);
      if (!values.acceptTerms) problems.push(["acceptTerms", "TERMS_NOT_ACCEPTED"]);
      if (problems.length) return showErrors(el, problems.map(([name, code]) => ({ code, message: "", field: ["input", name] })));
      const input = {
        phone: values.phone,
        verificationCode: values.verificationCode,
        password: values.password,
        confirmPassword: values.confirmPassword,
        email: values.email || null,
        acceptTerms: values.acceptTerms,
      };
      const payload = await mutate("register", REGISTER, input);
      if (!succeeded(el, payload)) return;
      // registered: sign straight in with the same credentials
      const login = await mutate("login", LOGIN, { identifier: values.phone, password: values.password });
      if (succeeded(el, login)) completeSignIn(login.auth, values.phone);
    },
      field("phone", t("register.phone"), { type: "tel", inputmode: "numeric", maxlength: 11, placeholder: "13800000000" }),
      codeField("REGISTER", phoneOf),
      field("password", t("register.password"), { type: "password", hint: t("register.passwordHint"), autocomplete: "new-password" }),
      field("confirmPassword", t("register.confirmPassword"), { type: "password", autocomplete: "new-password" }),
      field("email", t("register.email"), { type: "email", placeholder: t("common.optional") }),
      field("acceptTerms", t("register.acceptTerms"), { type: "checkbox" }),
      h("div", { class: "actions" }, submit(t("register.submit"), "register-submit")));
    add(root, h("div", { class: "card narrow" },
      h("h1", {}, t("register.title")),
      registerForm,
      h("p", { class: "muted" }, h("a", { href: "#/login" }, t("register.toLogin")))));
  },
};
