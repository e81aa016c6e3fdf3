// Security: payment password, real-name verification and the dynamic token (totp.js).

import { h, fill, add } from "../dom.js";
import { t, label } from "../i18n.js";
import { mutate, mutateWithFiles, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, fieldError, notice } from "../forms.js";
import { pinField, checkPin } from "../payforms.js";
import { totpCard } from "./totp.js";

const SET_PIN = `mutation SetPaymentPassword($input: SetPaymentPasswordInput!) { setPaymentPassword(input: $input) { ok ${USER_ERROR} } }`;
const REAL_NAME = `mutation SubmitRealName($input: SubmitRealNameInput!) {
  submitRealNameVerification(input: $input) { user { id realName realNameStatus } ${USER_ERROR} }
}`;
const ID_NUMBER = /^\d{17}[\dXx]$/;

export default {
  name: "security",
  title: "nav.security",
  auth: true,
  render(root, { app }) {
    const viewer = app.viewer;
    const pinStatus = h("div", { testid: "pin-status" });
    const realNameStatus = h("div", { testid: "real-name-status", dataset: { status: viewer.realNameStatus } });

    const drawStatus = () => {
      fill(pinStatus, viewer.hasPaymentPassword ? t("security.pinSet") : t("security.pinNotSet"));
      realNameStatus.dataset.status = viewer.realNameStatus;
      fill(realNameStatus, t("security.realNameStatus"), " ", h("strong", {}, label("RealNameStatus", viewer.realNameStatus)),
        viewer.realName ? ` · ${viewer.realName} ${viewer.idNumber || ""}` : "");
    };

    const pinForm = form("pin-form", async (values, el) => {
      if (viewer.hasPaymentPassword && !checkPin(el, values.currentPaymentPassword, "currentPaymentPassword")) return;
      if (!checkPin(el, values.paymentPassword)) return;
      if (values.paymentPassword !== values.confirmPaymentPassword) return fieldError(el, "confirmPaymentPassword", "PASSWORD_MISMATCH");
      const payload = await mutate("setPaymentPassword", SET_PIN, {
        paymentPassword: values.paymentPassword,
        confirmPaymentPassword: values.confirmPaymentPassword,
        currentPaymentPassword: viewer.hasPaymentPassword ? values.currentPaymentPassword : null,
      });
      el.reset();
      if (!succeeded(el, payload)) return;
      viewer.hasPaymentPassword = true;
      drawStatus();
      el.querySelector(".form-error").after(notice(t("security.pinSaved"), "pin-saved"));
      const current = el.querySelector("[name=currentPaymentPassword]");
      if (current) current.closest(".field").hidden = false;
    },
      pinField("currentPaymentPassword", t("security.currentPin")),
      pinField("paymentPassword", t("security.newPin")),
      pinField("confirmPaymentPassword", t("security.confirmPin")),
      h("p", { class: "hint" }, t("security.pinRule")),
      h("div", { class: "actions" }, submit(t("security.savePin"), "pin-submit")));
    pinForm.querySelector("[name=currentPaymentPassword]").closest(".field").hidden = !viewer.hasPaymentPassword;

    const realNameForm = form("real-name-form", async (values, el) => {
      if (!values.realName) return fieldError(el, "realName", "VALIDATION_FAILED");
      if (!ID_NUMBER.test(values.idNumber)) return fieldError(el, "idNumber", "INVALID_ID_NUMBER");
      const payload = await mutateWithFiles("submitRealNameVerification", REAL_NAME,
        { realName: values.realName, idNumber: values.idNumber.toUpperCase() },
        { "input.idCardFront": values.idCardFront, "input.idCardBack": values.idCardBack, "input.selfieWithIdCard": values.selfieWithIdCard });
      if (!succeeded(el, payload)) return;
      await app.loadViewer();
      Object.assign(viewer, app.viewer);
      drawStatus();
      el.reset();
      el.querySelector(".form-error").after(notice(t("security.realNameSubmitted"), "real-name-submitted"));
    },
      field("realName", t("security.realName")),
      field("idNumber", t("security.idNumber"), { maxlength: 18 }),
      field("idCardFront", t("security.idCardFront"), { type: "file", accept: "image/*" }),
      field("idCardBack", t("security.idCardBack"), { type: "file", accept: "image/*" }),
      field("selfieWithIdCard", t("security.selfie"), { type: "file", accept: "image/*" }),
      h("div", { class: "actions" }, submit(t("security.submitRealName"), "real-name-submit")));

    drawStatus();
    add(root, 
      h("div", { class: "card narrow" }, h("h1", {}, t("security.pinTitle")), pinStatus, pinForm),
      h("div", { class: "card narrow" }, h("h2", {}, t("security.realNameTitle")), realNameStatus,
        viewer.realNameStatus === "VERIFIED" ? null : realNameForm),
      totpCard(viewer),
      h("div", { class: "card narrow" }, h("h2", {}, t("nav.privacy")), h("p", { class: "muted" }, t("privacy.entry"), " ",
        h("a", { href: "#/privacy", testid: "to-privacy" }, t("privacy.open")))));
  },
};
