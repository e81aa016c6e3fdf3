// Account freezing (and unfreezing): setAccountStatus with a reason that is audited.

import { h, fill, add } from "../dom.js";
import { t, label } from "../i18n.js";
import { mutate, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, enumOptions, fieldError, notice } from "../forms.js";

const SET_STATUS = `mutation SetAccountStatus($input: SetAccountStatusInput!) { setAccountStatus(input: $input) { user { id phone status } ${USER_ERROR} } }`;

export default {
  name: "accounts",
  title: "staff.accounts",
  roles: ["RISK_OFFICER", "ADMIN"],
  async render(root, { params }) {
    const result = h("div", { testid: "account-status-result" });
    const statusForm = form("account-status-form", async (values, el) => {
      if (!values.userId) return fieldError(el, "userId", "VALIDATION_FAILED");
      if (!values.reason) return fieldError(el, "reason", "VALIDATION_FAILED");
      const payload = await mutate("setAccountStatus", SET_STATUS, { userId: values.userId, status: values.status, reason: values.reason });
      if (!succeeded(el, payload)) return;
      fill(result, notice(`${payload.user.phone} · ${label("AccountStatus", payload.user.status)}`, "account-status-done"));
    },
      field("userId", t("staff.userId"), { value: params[0] || "", hint: t("staff.userIdHint") }),
      field("status", t("staff.newStatus"), { type: "select", options: enumOptions("AccountStatus", ["FROZEN", "NORMAL", "ABNORMAL"]), value: "FROZEN" }),
      field("reason", t("staff.reason"), { type: "textarea", rows: 2 }),
      h("div", { class: "actions" }, submit(t("staff.applyStatus"), "account-status-submit", { class: "danger" })));
    add(root, h("div", { class: "card narrow" }, h("h2", {}, t("staff.accounts")), statusForm, result));
    return null;
  },
};
