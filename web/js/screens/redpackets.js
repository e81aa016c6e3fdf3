// Red packets (#/red-packets): send one (to one person or as a group link; even or random
// shares), watch its claims arrive live, open one from a pasted link, the packets sent.

import { h, fill, add, formatDateTime } from "../dom.js";
import { t, label } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { field, form, submit, fieldError } from "../forms.js";
import { yuan } from "../money.js";
import { live, liveBadge } from "../live.js";
import { amountField, pinField, checkAmount, checkPin, attemptKeys, stepUpRow, stepUpCode, moneyAnswered } from "../payforms.js";
import { PACKET_FIELDS, packetView, packetLink, packetNoFrom } from "./redpacket.js";

const SEND = `mutation SendRedPacket($input: SendRedPacketInput!) {
  sendRedPacket(input: $input) { redPacket { ${PACKET_FIELDS} } account { balance available frozen } ${USER_ERROR} }
}`;
const MINE = `query MyRedPackets { myRedPackets { packetNo mode amount count claimedCount status forOnePerson createdAt } }`;
const UPDATES = `subscription RedPacketUpdates($no: String!) { redPacketUpdates(packetNo: $no) { ${PACKET_FIELDS} } }`;

export default {
  name: "red-packets",
  title: "nav.redPackets",
  auth: true,
  async render(root, { app }) {
    const keys = attemptKeys();
    const sent = h("div", { testid: "rp-sent" });
    const mine = h("ul", { class: "tx-list", testid: "rp-mine" });
    let stopLive = null;

    const loadMine = async () => {
      const data = await gql(MINE);
      fill(mine, data.myRedPackets.length ? data.myRedPackets.map(sentRow) : h("li", { class: "muted" }, t("rp.none")));
    };

    const watch = (packet) => {
      if (stopLive) stopLive();
      const badge = liveBadge("rp-live");
      const { view, update } = packetView(packet);
      const link = packetLink(packet.packetNo);
      const linkInput = h("input", { readonly: true, value: link, testid: "rp-link", class: "rp-link" });
      const copy = h("button", { type: "button", class: "link", testid: "rp-copy" }, t("rp.copy"));
      copy.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(link);
          copy.textContent = t("rp.copied");
        } catch {
          linkInput.select(); // no clipboard permission: leave it selected to copy by hand
        }
      });
      fill(sent, h("div", { class: "card narrow", testid: "rp-watch", dataset: { packetNo: packet.packetNo } },
        h("div", { class: "notice notice-ok", role: "status", testid: "rp-sent-notice" }, t("rp.sent"), " ", badge),
        h("div", { class: "rp-share" }, h("label", {}, t("rp.link")), linkInput, copy,
          h("a", { href: `#/red-packet/${encodeURIComponent(packet.packetNo)}`, testid: "rp-open-own" }, t("rp.view"))),
        view));
      stopLive = live(UPDATES, { no: packet.packetNo }, (payload) => {
        update(payload.redPacketUpdates);
        loadMine().catch(() => {});
      }, { badge });
    };

    const targetChoice = field("target", t("rp.target"), { type: "radio", value: "GROUP",
      options: [{ value: "GROUP", label: t("rp.toGroup") }, { value: "ONE", label: t("rp.toOne") }] });
    const recipientRow = field("recipient", t("rp.recipient"), { placeholder: t("rp.recipientHint") });
    recipientRow.hidden = true;
    targetChoice.addEventListener("change", (event) => {
      recipientRow.hidden = event.target.value !== "ONE";
    });

    const sendForm = form("rp-send-form", async (values, el) => {
      const toOne = values.target === "ONE";
      if (toOne && !values.recipient) return fieldError(el, "recipient", "VALIDATION_FAILED");
      if (!/^\d{1,3}$/.test(values.count)) return fieldError(el, "count", "VALIDATION_FAILED");
      if (!checkAmount(el, values.amount) || !checkPin(el, values.paymentPassword)) return;
      const payload = await mutate("sendRedPacket", SEND, {
        amount: values.amount,
        count: Number.parseInt(values.count, 10),
        mode: values.mode,
        recipient: toOne ? values.recipient : null,
        greeting: values.greeting || null,
        paymentPassword: values.paymentPassword,
        verificationCode: stepUpCode(values),
        idempotencyKey: keys.current(),
      });
      keys.answered();
      if (!moneyAnswered(el, payload)) return;
      watch(payload.redPacket);
      await loadMine();
    },
      targetChoice,
      recipientRow,
      field("mode", t("rp.mode"), { type: "radio", value: "RANDOM",
        options: [{ value: "RANDOM", label: t("rp.random") }, { value: "EVEN", label: t("rp.even") }] }),
      h("div", { class: "grid2" },
        amountField("amount", { label: t("rp.amount") }),
        field("count", t("rp.count"), { inputmode: "numeric", value: "1", hint: t("rp.countHint"), maxlength: 3 })),
      field("greeting", t("rp.greeting"), { placeholder: t("rp.greetingDefault"), maxlength: 50 }),
      pinField(),
      stepUpRow(),
      h("div", { class: "actions" }, submit(t("rp.submit"), "rp-send-submit")));

    const openForm = form("rp-open-form", async (values, el) => {
      if (!values.link) return fieldError(el, "link", "VALIDATION_FAILED");
      app.navigate(`/red-packet/${encodeURIComponent(packetNoFrom(values.link))}`);
    },
      field("link", t("rp.openLink"), { placeholder: t("rp.openLinkHint") }),
      h("div", { class: "actions" }, submit(t("rp.go"), "rp-open-link-submit", { class: "secondary" })));

    add(root,
      h("div", { class: "card narrow" }, h("h1", {}, t("rp.title")),
        h("p", { class: "muted" }, t("home.available"), " ", yuan(app.viewer.account.available)), sendForm),
      sent,
      h("div", { class: "card narrow" }, h("h2", {}, t("rp.openTitle")), openForm),
      h("div", { class: "card" }, h("h2", {}, t("rp.mine")), mine));
    await loadMine();
    return () => stopLive && stopLive();
  },
};

function sentRow(packet) {
  return h("li", { class: "tx", testid: "rp-mine-row", dataset: { packetNo: packet.packetNo, status: packet.status } },
    h("div", { class: "tx-main" },
      h("span", {}, label("RedPacketMode", packet.mode), " · ", packet.forOnePerson ? t("rp.forOne") : t("rp.group")),
      h("span", { testid: "rp-mine-claimed" }, `${packet.claimedCount}/${packet.count}`),
      h("strong", {}, yuan(packet.amount))),
    h("div", { class: "tx-meta muted" }, formatDateTime(packet.createdAt), " · ",
      h("span", { class: `badge badge-${packet.status}` }, label("RedPacketStatus", packet.status)), " · ",
      h("a", { href: `#/red-packet/${encodeURIComponent(packet.packetNo)}`, testid: "rp-mine-open" }, t("rp.view"))));
}
