// Real-name reviews: compare the submitted name and ID number, approve or reject.

import { h, fill, formatDateTime, add } from "../dom.js";
import { t, label } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, notice } from "../forms.js";

const QUEUE = `query RealNameQueue { realNameReviewQueue { id realName idNumber status createdAt user { id phone status } } }`;
// The unmasked name and number, fetched per review on request (each read is audited server-side).
const UNMASKED = `query RealNameUnmasked($id: ID!) { node(id: $id) { ... on RealNameReview { unmaskedRealName unmaskedIdNumber } } }`;
const REVIEW = `mutation ReviewRealName($input: ReviewRealNameInput!) {
  reviewRealNameVerification(input: $input) { user { id realNameStatus } ${USER_ERROR} }
}`;

export default {
  name: "realname",
  title: "staff.realName",
  roles: ["SUPPORT", "RISK_OFFICER", "ADMIN"],
  async render(root) {
    const list = h("ul", { class: "queue", testid: "real-name-queue" });
    const load = async () => {
      const data = await gql(QUEUE);
      const reviews = data.realNameReviewQueue;
      fill(list, reviews.length ? reviews.map(item) : h("li", { class: "muted", testid: "real-name-queue-empty" }, t("staff.queueEmpty")));
    };
    const item = (review) => {
      const decide = form("real-name-review-form", async (values, el, submitter) => {
        const approve = submitter && submitter.value === "approve";
        const payload = await mutate("reviewRealNameVerification", REVIEW, { reviewId: review.id, approve, note: values.note || null });
        if (!succeeded(el, payload)) return;
        el.replaceWith(notice(label("RealNameStatus", payload.user ? payload.user.realNameStatus : approve ? "VERIFIED" : "REJECTED"), "real-name-reviewed"));
      },
        field("note", t("staff.note"), { placeholder: t("common.optional") }),
        h("div", { class: "actions" },
          submit(t("staff.approve"), "real-name-approve", { name: "decision", value: "approve" }),
          submit(t("staff.reject"), "real-name-reject", { class: "danger", name: "decision", value: "reject" })));
      const name = h("strong", { testid: "real-name-name" }, review.realName);
      const number = h("span", { testid: "real-name-id-number" }, review.idNumber);
      const reveal = h("button", { type: "button", class: "secondary", testid: "real-name-reveal", on: { click: async () => {
        const data = await gql(UNMASKED, { id: review.id });
        if (!data.node) return;
        fill(name, data.node.unmaskedRealName);
        fill(number, data.node.unmaskedIdNumber);
        reveal.remove();
      } } }, t("staff.reveal"));
      return h("li", { class: "queue-item", testid: "real-name-item" },
        h("div", {}, name, " ", number, " ", h("span", { class: "badge" }, label("RealNameStatus", review.status)), " ", reveal),
        h("div", { class: "muted" }, review.user.phone, " · ", formatDateTime(review.createdAt)),
        decide);
    };
    add(root, h("div", { class: "card" }, h("h2", {}, t("staff.realName"), " ",
      h("button", { type: "button", class: "secondary", on: { click: load } }, t("common.reload"))), list));
    await load();
    return null;
  },
};
