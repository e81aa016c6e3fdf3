// Risk alerts: the list, new alerts pushed live (riskAlertRaised), acknowledge or close.

import { h, fill, formatDateTime, add, addFirst } from "../dom.js";
import { t, label } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, enumOptions, notice } from "../forms.js";
import { live, liveBadge } from "../live.js";

const ALERT_FIELDS = "id type level status scope message createdAt user { id phone status } transaction { transactionNo }";
const LIST = `query Alerts($status: AlertStatus) { riskAlerts(status: $status, first: 50) { edges { node { ${ALERT_FIELDS} } } totalCount } }`;
const RAISED = `subscription AlertRaised { riskAlertRaised { ${ALERT_FIELDS} } }`;
const ACK = `mutation Acknowledge($input: AcknowledgeRiskAlertInput!) { acknowledgeRiskAlert(input: $input) { alert { ${ALERT_FIELDS} } ${USER_ERROR} } }`;

export default {
  name: "alerts",
  title: "staff.alerts",
  roles: ["SUPPORT", "RISK_OFFICER", "ADMIN"],
  async render(root, { app }) {
    const list = h("ul", { class: "queue", testid: "alert-list" });
    const badge = liveBadge("alerts-live");
    const canFreeze = app.hasRole("RISK_OFFICER", "ADMIN");
    let status = "OPEN";

    const item = (alert) => {
      const act = form("alert-ack-form", async (values, el, submitter) => {
        const payload = await mutate("acknowledgeRiskAlert", ACK, { alertId: alert.id, close: submitter && submitter.value === "close", note: values.note || null });
        if (!succeeded(el, payload)) return;
        el.replaceWith(notice(label("AlertStatus", payload.alert.status), "alert-acknowledged"));
      },
        field("note", t("staff.note"), { placeholder: t("common.optional") }),
        h("div", { class: "actions" },
          alert.status === "OPEN" ? submit(t("staff.acknowledge"), "alert-ack", { name: "decision", value: "ack" }) : null,
          submit(t("staff.closeAlert"), "alert-close", { class: "secondary", name: "decision", value: "close" })));
      return h("li", { class: `queue-item level-${alert.level}`, testid: "alert-item", dataset: { id: alert.id, level: alert.level, type: alert.type } },
        h("div", {}, h("span", { class: `badge level-${alert.level}` }, label("AlertLevel", alert.level)), " ",
          h("strong", { testid: "alert-type" }, label("AlertType", alert.type)), " ", h("span", { class: "badge" }, label("AlertStatus", alert.status)), " ",
          h("span", { class: "muted" }, formatDateTime(alert.createdAt))),
        h("p", { testid: "alert-message" }, alert.message),
        h("div", { class: "muted" }, t("staff.scope"), " ", alert.scope,
          alert.user ? [" · ", alert.user.phone, " ", label("AccountStatus", alert.user.status)] : null,
          alert.transaction ? [" · ", alert.transaction.transactionNo] : null,
          alert.user && canFreeze ? [" · ", h("a", { href: `#/staff/accounts/${encodeURIComponent(alert.user.id)}`, testid: "alert-freeze" }, t("staff.freeze"))] : null),
        alert.status === "CLOSED" ? null : act);
    };

    const load = async () => {
      const data = await gql(LIST, { status: status || null });
      const edges = data.riskAlerts.edges;
      fill(list, edges.length ? edges.map((edge) => item(edge.node)) : h("li", { class: "muted", testid: "alert-list-empty" }, t("staff.queueEmpty")));
    };

    const filter = field("status", t("staff.alertStatus"), { type: "select", placeholder: t("common.all"), options: enumOptions("AlertStatus", ["OPEN", "ACKNOWLEDGED", "CLOSED"]), value: status });
    filter.querySelector("select").addEventListener("change", (event) => {
      status = event.target.value;
      load();
    });

    const stop = app.hasRole("RISK_OFFICER", "ADMIN")
      ? live(RAISED, {}, (data) => {
        const alert = data.riskAlertRaised;
        if (status && alert.status !== status) return;
        list.querySelector("[data-testid=alert-list-empty]")?.remove();
        const row = item(alert);
        row.classList.add("fresh");
        addFirst(list, row);
      }, { badge })
      : null;

    add(root, h("div", { class: "card" }, h("h2", {}, t("staff.alerts"), " ", stop ? badge : null), filter, list));
    await load();
    return stop;
  },
};
