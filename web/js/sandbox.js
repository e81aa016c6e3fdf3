// Sandbox mode only: a developer banner with the latest SMS/email of the sandbox
// outbox (GET /sandbox/messages?recipient=..., newest first).

import { h, fill, formatDateTime } from "./dom.js";
import { t } from "./i18n.js";

const banner = () => document.getElementById("dev-banner");
let recipient = null;
let enabled = false;

export function enableSandbox() {
  enabled = true;
}

/** Latest messages for a recipient (empty list outside sandbox mode or on failure). */
export async function sandboxMessages(to) {
  if (!enabled || !to) return [];
  try {
    const response = await fetch(`/sandbox/messages?recipient=${encodeURIComponent(to)}`);
    return response.ok ? await response.json() : [];
  } catch {
    return [];
  }
}

export function codeIn(text) {
  const match = /(?:^|\D)(\d{6})(?:\D|$)/.exec(text || "");
  return match ? match[1] : null;
}

/** Show the newest message sent to `to` (call after requesting a code). */
export async function showLatestMessage(to) {
  if (!enabled) return;
  recipient = to;
  const el = banner();
  el.hidden = false;
  fill(el, h("strong", {}, t("dev.title")), " ", t("dev.loading"));
  const messages = await sandboxMessages(to);
  if (recipient !== to) return;
  const latest = messages[0];
  const refresh = h("button", { type: "button", class: "link", testid: "dev-refresh", on: { click: () => showLatestMessage(to) } }, t("dev.refresh"));
  const close = h("button", { type: "button", class: "link", testid: "dev-close", on: { click: hideBanner } }, "×");
  if (!latest) {
    fill(el, h("strong", {}, t("dev.title")), " ", t("dev.none", { to }), " ", refresh, close);
    return;
  }
  const code = codeIn(latest.text);
  fill(el,
    h("strong", {}, t("dev.title")), " ",
    h("span", { testid: "dev-sms-recipient" }, latest.recipient), " · ",
    h("span", { class: "muted" }, formatDateTime(latest.sentAt)), " · ",
    h("span", { testid: "dev-sms-text" }, latest.text), " ",
    code ? h("code", { testid: "dev-sms-code", class: "dev-code" }, code) : null, " ",
    refresh, close);
}

export function hideBanner() {
  recipient = null;
  banner().hidden = true;
}
