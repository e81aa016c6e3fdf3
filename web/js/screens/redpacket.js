// One red packet (#/red-packet/<packetNo>, the link a sender shares): the sender sees the
// claims arrive live (redPacketUpdates); anyone else it is for opens it (claimRedPacket).

import { h, fill, add, formatDateTime } from "../dom.js";
import { t, label } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { form, submit, succeeded } from "../forms.js";
import { yuan } from "../money.js";
import { live, liveBadge } from "../live.js";
import { applyAccount } from "../payforms.js";

export const PACKET_FIELDS = `id packetNo mode amount count claimedCount claimedAmount remainingAmount refundedAmount
  status greeting forOnePerson createdAt expiresAt senderName claims { seq amount claimedAt claimerName }`;
// myRedPackets tells whether the viewer sent it (a packet shows only the sender's masked name)
const PACKET = `query RedPacket($no: String!) {
  redPacket(packetNo: $no) { ${PACKET_FIELDS} myClaim { seq amount } }
  myRedPackets { packetNo }
}`;
const UPDATES = `subscription RedPacketUpdates($no: String!) { redPacketUpdates(packetNo: $no) { ${PACKET_FIELDS} } }`;
const CLAIM = `mutation Claim($input: ClaimRedPacketInput!) {
  claimRedPacket(input: $input) {
    claim { seq amount } redPacket { ${PACKET_FIELDS} } account { balance available frozen } ${USER_ERROR}
  }
}`;

/** The link a sender shares: this app's URL of the packet's screen. */
export function packetLink(packetNo) {
  return `${location.origin}${location.pathname}#/red-packet/${encodeURIComponent(packetNo)}`;
}

/** The packet number in a pasted link (…#/red-packet/<no>) or the bare number. */
export function packetNoFrom(text) {
  const match = /red-packet\/([^/?#\s]+)/.exec(text);
  return decodeURIComponent(match ? match[1] : text.trim());
}

/** The packet's figures and claim list; `update(packet)` redraws them. */
export function packetView(packet) {
  const progress = h("p", { testid: "rp-progress" });
  const status = h("span", { class: "badge", testid: "rp-status" });
  const claims = h("ol", { class: "claim-list", testid: "rp-claims" });
  const extra = h("p", { class: "muted small", testid: "rp-extra" });
  const view = h("div", { class: "rp-view", testid: "rp-view" }, h("div", {}, status), progress, extra,
    h("h3", {}, t("rp.claims")), claims);
  const update = (next) => {
    view.dataset.status = next.status;
    view.dataset.claimed = String(next.claimedCount);
    status.className = `badge badge-${next.status}`;
    status.dataset.status = next.status;
    status.textContent = label("RedPacketStatus", next.status);
    progress.textContent = t("rp.progress", { claimed: next.claimedCount, count: next.count,
      claimedAmount: yuan(next.claimedAmount), amount: yuan(next.amount) });
    fill(extra, label("RedPacketMode", next.mode), " · ", next.forOnePerson ? t("rp.forOne") : t("rp.group"), " · ",
      next.refundedAmount !== "0.00" ? t("rp.refunded", { amount: yuan(next.refundedAmount) }) : t("rp.remaining", { amount: yuan(next.remainingAmount) }),
      " · ", t("rp.expiresAt"), " ", formatDateTime(next.expiresAt));
    fill(claims, next.claims.length
      ? next.claims.map((claim) => h("li", { class: "claim", testid: "rp-claim", dataset: { seq: String(claim.seq) } },
        h("span", { testid: "rp-claimer" }, claim.claimerName), " ",
        h("strong", { testid: "rp-claim-amount" }, yuan(claim.amount)), " ",
        h("span", { class: "muted small" }, formatDateTime(claim.claimedAt))))
      : h("li", { class: "muted", testid: "rp-no-claims" }, t("rp.noClaims")));
  };
  update(packet);
  return { view, update };
}

export default {
  name: "red-packet",
  title: "nav.redPackets",
  auth: true,
  async render(root, { params }) {
    const packetNo = params[0] || "";
    const data = packetNo ? await gql(PACKET, { no: packetNo }) : { redPacket: null, myRedPackets: [] };
    const packet = data.redPacket;
    if (!packet) {
      fill(root, h("div", { class: "card narrow" }, h("p", { class: "notice notice-warn", testid: "rp-not-found" }, t("rp.notFound")),
        h("a", { href: "#/red-packets" }, t("common.back"))));
      return null;
    }
    const { view, update } = packetView(packet);
    const mine = data.myRedPackets.some((sent) => sent.packetNo === packet.packetNo);
    const card = h("div", { class: "card narrow red-packet", testid: "red-packet", dataset: { packetNo } },
      h("h1", {}, t("rp.from", { name: packet.senderName })),
      h("p", { class: "greeting", testid: "rp-greeting" }, packet.greeting || t("rp.greetingDefault")),
      h("p", { class: "rp-total" }, yuan(packet.amount)));
    let stop = null;
    if (mine) {
      const badge = liveBadge("rp-live");
      fill(card.querySelector("h1"), t("rp.from", { name: packet.senderName }), " ", badge);
      add(card, h("div", { class: "rp-share" }, t("rp.link"), " ",
        h("input", { readonly: true, value: packetLink(packetNo), testid: "rp-link", class: "rp-link" })));
      stop = live(UPDATES, { no: packetNo }, (payload) => update(payload.redPacketUpdates), { badge });
    }
    // the sender may take a share of their own group packet, never of one addressed to someone
    if (!mine || !packet.forOnePerson) add(card, claimPart(packet, update));
    fill(root, h("div", { class: "stack" }, card, h("div", { class: "card narrow" }, view)));
    return stop;
  },
};

function claimPart(packet, update) {
  const result = h("div", { testid: "rp-result" });
  if (packet.myClaim) {
    fill(result, gotNotice(packet.myClaim.amount));
    return result;
  }
  if (packet.status !== "OPEN") return result;
  const claimForm = form("rp-claim-form", async (values, el) => {
    const payload = await mutate("claimRedPacket", CLAIM, { packetNo: packet.packetNo });
    if (payload.redPacket) update(payload.redPacket);
    if (!succeeded(el, payload)) return;
    applyAccount(payload);
    el.replaceWith(gotNotice(payload.claim.amount));
  }, h("div", { class: "actions" }, submit(t("rp.open"), "rp-open", { class: "primary rp-open" })));
  fill(result, claimForm);
  return result;
}

function gotNotice(amount) {
  return h("div", { class: "notice notice-ok", testid: "rp-got", role: "status" }, t("rp.got"), " ",
    h("strong", { testid: "rp-got-amount" }, yuan(amount)));
}
