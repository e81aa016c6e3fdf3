// The dynamic token (动态令牌, guide 5.3.4) in the security centre: enrolment (QR of the
// otpauth:// URI made by the API, confirmed with the app's first code, then the ten recovery
// codes shown once) and turning it off (login password + a code or a recovery code).

import { h, fill, add, svgImage } from "../dom.js";
import { t } from "../i18n.js";
import { mutate, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, fieldError, notice } from "../forms.js";

const BEGIN = `mutation BeginTotp($input: BeginTotpEnrollmentInput!) {
  beginTotpEnrollment(input: $input) { enrollment { secret uri qrSvg } ${USER_ERROR} }
}`;
const CONFIRM = `mutation ConfirmTotp($input: ConfirmTotpEnrollmentInput!) {
  confirmTotpEnrollment(input: $input) { recoveryCodes ${USER_ERROR} }
}`;
const DISABLE = `mutation DisableTotp($input: DisableTotpInput!) { disableTotp(input: $input) { ok ${USER_ERROR} } }`;
const CODE = /^\d{6}$/;

/** A 6-digit input for the authenticator's current code. */
export function totpField(name = "code", labelText = t("totp.code")) {
  return field(name, labelText, { inputmode: "numeric", maxlength: 9, placeholder: "000000", autocomplete: "one-time-code" });
}

/** The security centre's card for the viewer (`viewer.totpEnabled` kept current). */
export function totpCard(viewer) {
  const status = h("div", { testid: "totp-status" });
  const body = h("div", { testid: "totp-body" });

  const drawStatus = () => {
    status.dataset.enabled = viewer.totpEnabled ? "yes" : "no";
    fill(status, viewer.totpEnabled ? t("totp.on") : t("totp.off"));
  };

  const recoveryList = (codes) => h("div", { class: "notice notice-warn", testid: "totp-recovery" },
    h("p", {}, h("strong", {}, t("totp.recoveryTitle"))),
    h("p", {}, t("totp.recoveryHint")),
    h("ol", { class: "recovery-codes" }, codes.map((code) => h("li", { testid: "recovery-code" }, code))));

  const confirmStep = (enrollment) => form("totp-confirm-form", async (values, el) => {
    if (!CODE.test(values.code)) return fieldError(el, "code", "INVALID_TOTP_CODE");
    const payload = await mutate("confirmTotpEnrollment", CONFIRM, { code: values.code });
    if (!succeeded(el, payload)) return;
    viewer.totpEnabled = true;
    drawStatus();
    fill(body, recoveryList(payload.recoveryCodes), disableForm());
  },
    h("p", {}, t("totp.scan")),
    h("div", { class: "qr-box" }, svgImage(enrollment.qrSvg, t("totp.qrAlt"), "totp-qr")),
    h("p", { class: "muted" }, t("totp.secret"), " ", h("code", { testid: "totp-secret" }, enrollment.secret)),
    totpField("code", t("totp.firstCode")),
    h("div", { class: "actions" }, submit(t("totp.confirm"), "totp-confirm-submit")));

  const beginForm = () => form("totp-begin-form", async (values, el) => {
    if (!values.password) return fieldError(el, "password", "VALIDATION_FAILED");
    const payload = await mutate("beginTotpEnrollment", BEGIN, { password: values.password });
    if (!succeeded(el, payload)) return;
    fill(body, confirmStep(payload.enrollment));
  },
    h("p", { class: "muted" }, t("totp.intro")),
    field("password", t("login.password"), { type: "password", autocomplete: "current-password" }),
    h("div", { class: "actions" }, submit(t("totp.begin"), "totp-begin-submit")));

  const disableForm = () => form("totp-disable-form", async (values, el) => {
    if (!values.password) return fieldError(el, "password", "VALIDATION_FAILED");
    if (!values.code) return fieldError(el, "code", "TOTP_REQUIRED");
    const payload = await mutate("disableTotp", DISABLE, { password: values.password, code: values.code });
    if (!succeeded(el, payload)) return;
    viewer.totpEnabled = false;
    drawStatus();
    fill(body, notice(t("totp.disabled"), "totp-disabled"), beginForm());
  },
    h("h3", {}, t("totp.disableTitle")),
    field("password", t("login.password"), { type: "password", autocomplete: "current-password" }),
    totpField("code", t("totp.codeOrRecovery")),
    h("div", { class: "actions" }, submit(t("totp.disable"), "totp-disable-submit", { class: "danger" })));

  drawStatus();
  add(body, viewer.totpEnabled ? disableForm() : beginForm());
  return h("div", { class: "card narrow", testid: "totp-card" }, h("h2", {}, t("totp.title")), status, body);
}
