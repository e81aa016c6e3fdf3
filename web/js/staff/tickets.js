// Customer-service tickets: filter by status, open one, reply live, change its status.

import { h, fill, add } from "../dom.js";
import { t } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, enumOptions } from "../forms.js";
import { loadTicket, ticketThread, ticketLine } from "../tickets.js";

const LIST = `query Tickets($status: TicketStatus) { tickets(status: $status, first: 50) { edges { node { id ticketNo kind subject status updatedAt } } totalCount } }`;
const UPDATE = `mutation UpdateTicketStatus($input: UpdateTicketStatusInput!) { updateTicketStatus(input: $input) { ticket { id status } ${USER_ERROR} } }`;
const STATUSES = ["OPEN", "IN_PROGRESS", "RESOLVED", "CLOSED"];

export default {
  name: "tickets",
  title: "staff.tickets",
  roles: ["SUPPORT", "RISK_OFFICER", "ADMIN"],
  async render(root, { params }) {
    if (params[0]) {
      const ticket = await loadTicket(params[0]);
      if (!ticket) {
        add(root, h("p", {}, t("help.ticketNotFound")));
        return null;
      }
      const thread = ticketThread(ticket, { viewerIsStaff: true });
      const statusForm = form("ticket-status-form", async (values, el) => {
        const payload = await mutate("updateTicketStatus", UPDATE, { ticketId: ticket.id, status: values.status });
        if (!succeeded(el, payload)) return;
        const badge = thread.element.querySelector("[data-testid=ticket-status]");
        badge.textContent = enumOptions("TicketStatus", [payload.ticket.status])[0].label;
      },
        h("div", { class: "inline" },
          field("status", t("staff.ticketStatus"), { type: "select", options: enumOptions("TicketStatus", STATUSES), value: ticket.status }),
          submit(t("staff.updateStatus"), "ticket-status-submit", { class: "secondary" })));
      add(root, h("div", { class: "card" }, h("a", { href: "#/staff/tickets" }, t("common.back")), thread.element, statusForm));
      return thread.stop;
    }
    const list = h("ul", { class: "ticket-list", testid: "staff-ticket-list" });
    let status = "";
    const load = async () => {
      const data = await gql(LIST, { status: status || null });
      const edges = data.tickets.edges;
      fill(list, edges.length ? edges.map((edge) => ticketLine(edge.node, `#/staff/tickets/${encodeURIComponent(edge.node.id)}`)) : h("li", { class: "muted" }, t("staff.queueEmpty")));
    };
    const filter = field("status", t("staff.ticketStatus"), { type: "select", placeholder: t("common.all"), options: enumOptions("TicketStatus", STATUSES) });
    filter.querySelector("select").addEventListener("change", (event) => {
      status = event.target.value;
      load();
    });
    add(root, h("div", { class: "card" }, h("h2", {}, t("staff.tickets")), filter, list));
    await load();
    return null;
  },
};
