// Help center (seed 8): FAQ search, the user's tickets, a new ticket, one ticket's live thread.
// Routes: #/help, #/help/new[/<transactionNo>], #/help/ticket/<id>.

import { h, fill, add } from "../dom.js";
import { t } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, enumOptions, fieldError } from "../forms.js";
import { TICKET_FIELDS, loadTicket, ticketThread, ticketLine } from "../tickets.js";

const FAQ = `query Faq($search: String) { faq(search: $search) { id question answer category } }`;
// contactChannels is an addition to the contract: shown when the server has it
const CONTACTS = `query Contacts { contactChannels { kind label value description } }`;
const MY_TICKETS = `query MyTickets { myTickets(first: 20) { edges { node { id ticketNo kind subject status updatedAt } } totalCount } }`;
const SUBMIT = `mutation SubmitTicket($input: SubmitTicketInput!) { submitTicket(input: $input) { ticket { ${TICKET_FIELDS} } ${USER_ERROR} } }`;

function faqSection() {
  const results = h("div", { class: "faq", testid: "faq-results" });
  const search = async (text) => {
    try {
      const data = await gql(FAQ, { search: text || null });
      const byCategory = new Map();
      for (const entry of data.faq) {
        if (!byCategory.has(entry.category)) byCategory.set(entry.category, []);
        byCategory.get(entry.category).push(entry);
      }
      fill(results, data.faq.length
        ? [...byCategory].map(([category, entries]) => h("section", {}, h("h3", {}, category),
          entries.map((entry) => h("details", { class: "faq-entry", testid: "faq-entry" }, h("summary", {}, entry.question), h("p", {}, entry.answer)))))
        : h("p", { class: "muted", testid: "faq-empty" }, t("help.noFaq")));
    } catch {
      fill(results, h("p", { class: "muted" }, t("common.unavailable")));
    }
  };
  const searchForm = form("faq-search", async (values) => search(values.search),
    h("div", { class: "inline" }, field("search", t("help.search"), { placeholder: t("help.searchHint") }), submit(t("help.searchSubmit"), "faq-submit")));
  search("");
  return h("div", { class: "card" }, h("h1", {}, t("help.title")), searchForm, results);
}

async function contactSection() {
  let channels;
  try {
    channels = (await gql(CONTACTS)).contactChannels;
  } catch {
    return null;
  }
  if (!channels.length) return null;
  const link = (channel) => {
    if (channel.kind === "PHONE") return h("a", { href: `tel:${channel.value}` }, channel.value);
    if (channel.kind === "EMAIL") return h("a", { href: `mailto:${channel.value}` }, channel.value);
    if (/^https?:\/\//.test(channel.value)) return h("a", { href: channel.value, target: "_blank", rel: "noopener" }, channel.value);
    return h("strong", {}, channel.value);
  };
  return h("div", { class: "card", testid: "contact-channels" }, h("h2", {}, t("help.contact")),
    h("ul", { class: "contact-list" }, channels.map((channel) => h("li", {},
      h("span", { class: "badge" }, channel.label), " ", link(channel), " ", h("span", { class: "muted" }, channel.description)))));
}

function newTicketForm(transactionNo, app) {
  return form("ticket-form", async (values, el) => {
    if (!values.subject) return fieldError(el, "subject", "VALIDATION_FAILED");
    if (!values.body) return fieldError(el, "body", "VALIDATION_FAILED");
    const payload = await mutate("submitTicket", SUBMIT, {
      kind: values.kind,
      subject: values.subject,
      body: values.body,
      transactionNo: values.transactionNo || null,
    });
    if (succeeded(el, payload)) app.navigate(`/help/ticket/${encodeURIComponent(payload.ticket.id)}`);
  },
    field("kind", t("help.kind"), { type: "select", options: enumOptions("TicketKind", ["FEEDBACK", "COMPLAINT"]), value: transactionNo ? "COMPLAINT" : "FEEDBACK" }),
    field("subject", t("help.subject")),
    field("body", t("help.body"), { type: "textarea", rows: 4 }),
    field("transactionNo", t("help.transactionNo"), { value: transactionNo || "", placeholder: t("common.optional") }),
    h("div", { class: "actions" }, submit(t("help.submitTicket"), "ticket-submit")));
}

export default {
  name: "help",
  title: "nav.help",
  auth: true,
  async render(root, { app, params }) {
    if (params[0] === "ticket" && params[1]) {
      const ticket = await loadTicket(params[1]);
      if (!ticket) {
        add(root, h("div", { class: "card" }, h("p", {}, t("help.ticketNotFound")), h("a", { href: "#/help" }, t("common.back"))));
        return null;
      }
      const thread = ticketThread(ticket, { viewerIsStaff: false });
      add(root, h("div", { class: "card" }, h("a", { href: "#/help" }, t("common.back")), thread.element));
      return thread.stop;
    }
    const mine = h("ul", { class: "ticket-list", testid: "my-tickets" });
    try {
      const data = await gql(MY_TICKETS);
      const rows = data.myTickets.edges.map((edge) => ticketLine(edge.node, `#/help/ticket/${encodeURIComponent(edge.node.id)}`));
      fill(mine, rows.length ? rows : h("li", { class: "muted" }, t("help.noTickets")));
    } catch {
      fill(mine, h("li", { class: "muted" }, t("common.unavailable")));
    }
    add(root, 
      faqSection(),
      h("div", { class: "card" }, h("h2", {}, t("help.myTickets")), mine),
      h("div", { class: "card narrow" }, h("h2", {}, t("help.newTicket")), newTicketForm(params[0] === "new" ? params[1] : null, app)),
      await contactSection());
    return null;
  },
};
