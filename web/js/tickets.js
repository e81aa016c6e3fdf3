// One ticket's conversation, for its owner and for staff: messages arrive live
// (ticketMessages) and replies go out with replyTicket.

import { h, formatDateTime, add } from "./dom.js";
import { t, label } from "./i18n.js";
import { gql, mutate, USER_ERROR } from "./api.js";
import { field, form, submit, succeeded, fieldError } from "./forms.js";
import { live, liveBadge } from "./live.js";

export const MESSAGE_FIELDS = "id fromStaff body createdAt";
// eventCursor is read with the messages: the subscription passes it as `after`, so a message
// sent between loading the ticket and subscribing is replayed instead of lost.
export const TICKET_FIELDS = `id ticketNo kind subject status createdAt updatedAt eventCursor transaction { transactionNo } messages { ${MESSAGE_FIELDS} }`;

const NODE = `query Ticket($id: ID!) { node(id: $id) { ... on Ticket { ${TICKET_FIELDS} } } }`;
const REPLY = `mutation Reply($input: ReplyTicketInput!) { replyTicket(input: $input) { ticket { id status } ${USER_ERROR} } }`;
const MESSAGES = `subscription TicketMessages($ticketId: ID!, $after: String) { ticketMessages(ticketId: $ticketId, after: $after) { ${MESSAGE_FIELDS} eventId } }`;

export async function loadTicket(id) {
  const data = await gql(NODE, { id });
  return data.node && data.node.ticketNo ? data.node : null;
}

function messageItem(message, viewerIsStaff) {
  const mine = message.fromStaff === viewerIsStaff;
  return h("li", { class: `message ${mine ? "mine" : "theirs"}`, testid: "ticket-message", dataset: { id: message.id, fromStaff: String(message.fromStaff) } },
    h("div", { class: "message-who muted" }, message.fromStaff ? t("ticket.staff") : t("ticket.user"), " · ", formatDateTime(message.createdAt)),
    h("div", { class: "message-body" }, message.body));
}

/** The conversation of `ticket`; returns {element, stop}. */
export function ticketThread(ticket, { viewerIsStaff = false, onStatus = null } = {}) {
  const seen = new Set();
  const list = h("ol", { class: "messages", testid: "ticket-messages" });
  const badge = liveBadge("ticket-live");
  const addMessage = (message) => {
    if (seen.has(message.id)) return;
    seen.add(message.id);
    add(list, messageItem(message, viewerIsStaff));
    list.scrollTop = list.scrollHeight;
  };
  ticket.messages.forEach(addMessage);
  const reply = form("reply-form", async (values, el) => {
    if (!values.body) return fieldError(el, "body", "VALIDATION_FAILED");
    const payload = await mutate("replyTicket", REPLY, { ticketId: ticket.id, body: values.body });
    if (!succeeded(el, payload)) return;
    el.reset();
    if (payload.ticket && onStatus) onStatus(payload.ticket.status);
  },
    field("body", t("ticket.reply"), { type: "textarea", rows: 2 }),
    h("div", { class: "actions" }, submit(t("ticket.send"), "reply-submit")));
  // The socket resends these variables when it reconnects: keeping `after` at the last event
  // seen makes a reconnect replay what was sent while it was away.
  const variables = { ticketId: ticket.id, after: ticket.eventCursor ?? null };
  const onMessage = (data) => {
    const message = data.ticketMessages;
    if (message.eventId) variables.after = message.eventId;
    addMessage(message);
  };
  const stop = live(MESSAGES, variables, onMessage, { badge });
  const element = h("div", { class: "thread", testid: "ticket-thread", dataset: { ticketNo: ticket.ticketNo } },
    h("div", { class: "thread-head" },
      h("strong", {}, ticket.subject), " ", h("span", { class: "muted" }, ticket.ticketNo), " ",
      h("span", { class: "badge" }, label("TicketKind", ticket.kind)), " ",
      h("span", { class: `badge badge-${ticket.status}`, testid: "ticket-status" }, label("TicketStatus", ticket.status)), " ", badge),
    ticket.transaction ? h("div", { class: "muted" }, t("tx.number"), " ", ticket.transaction.transactionNo) : null,
    list, reply);
  return { element, stop };
}

export function ticketLine(ticket, href) {
  return h("li", { class: "ticket", testid: "ticket-row", dataset: { ticketNo: ticket.ticketNo, status: ticket.status } },
    h("a", { href }, ticket.subject), " ",
    h("span", { class: "muted" }, ticket.ticketNo, " · ", formatDateTime(ticket.updatedAt)), " ",
    h("span", { class: "badge" }, label("TicketKind", ticket.kind)), " ",
    h("span", { class: `badge badge-${ticket.status}` }, label("TicketStatus", ticket.status)));
}
