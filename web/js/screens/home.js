// Wallet home: balances that change live (balanceChanged), shortcuts, recent activity.

import { h, fill, add } from "../dom.js";
import { t, label } from "../i18n.js";
import { gql } from "../api.js";
import { yuan, signed } from "../money.js";
import { live, liveBadge } from "../live.js";
import { TX_FIELDS, transactionRow } from "../transactions.js";

const RECENT = `query Recent { transactions(first: 5) { edges { node { ${TX_FIELDS} } } totalCount } }`;
const BALANCE_CHANGED = `subscription BalanceChanged {
  balanceChanged { delta available frozen occurredAt account { balance available frozen } transaction { transactionNo type } }
}`;

const SHORTCUTS = ["topup", "withdraw", "pay", "pay-qr", "transfer", "red-packets", "pay-requests", "cards", "history", "wealth", "help"];

export default {
  name: "home",
  title: "nav.home",
  auth: true,
  async render(root, { app }) {
    const viewer = app.viewer;
    const account = viewer.account;
    const badge = liveBadge("balance-live");
    const balance = h("div", { class: "balance", testid: "balance-available", dataset: { amount: account.available } }, yuan(account.available));
    const frozen = h("span", { testid: "balance-frozen" }, yuan(account.frozen));
    const total = h("span", { testid: "balance-total" }, yuan(account.balance));
    const lastChange = h("div", { class: "last-change muted", testid: "balance-last-change" });
    const recent = h("ul", { class: "tx-list", testid: "recent-transactions" });

    const loadRecent = async () => {
      try {
        const data = await gql(RECENT);
        const rows = data.transactions.edges.map((edge) => transactionRow(edge.node));
        fill(recent, rows.length ? rows : h("li", { class: "muted" }, t("home.noTransactions")));
      } catch (error) {
        fill(recent, h("li", { class: "muted" }, t("common.unavailable")));
      }
    };

    const stop = live(BALANCE_CHANGED, {}, (data) => {
      const change = data.balanceChanged;
      const now = change; // the balances at the moment of this change
      balance.textContent = yuan(now.available);
      balance.dataset.amount = now.available;
      frozen.textContent = yuan(now.frozen);
      if (change.account) total.textContent = yuan(change.account.balance);
      account.available = now.available;
      account.frozen = now.frozen;
      balance.classList.remove("flash");
      void balance.offsetWidth; // restart the highlight animation
      balance.classList.add("flash");
      const delta = String(change.delta);
      fill(lastChange, t("home.lastChange"), " ",
        h("span", { testid: "balance-delta", class: delta.startsWith("-") ? "dir-OUT" : "dir-IN" },
          delta.startsWith("-") ? signed(delta.slice(1), "OUT") : signed(delta, "IN")),
        change.transaction ? ` · ${label("TransactionType", change.transaction.type)} ${change.transaction.transactionNo}` : "");
      loadRecent();
    }, { badge });

    const warnings = [];
    if (viewer.status !== "NORMAL") warnings.push(h("div", { class: "notice notice-warn", testid: "account-status-warning" }, t("home.accountStatus"), " ", label("AccountStatus", viewer.status)));
    if (viewer.realNameStatus !== "VERIFIED") warnings.push(h("div", { class: "notice notice-info", testid: "real-name-hint" }, t("home.realNameHint"), " ", label("RealNameStatus", viewer.realNameStatus), " · ", h("a", { href: "#/security" }, t("home.realNameLink"))));
    if (!viewer.hasPaymentPassword) warnings.push(h("div", { class: "notice notice-info", testid: "pin-hint" }, t("home.pinHint"), " ", h("a", { href: "#/security" }, t("home.pinLink"))));

    add(root, 
      warnings,
      h("div", { class: "card wallet" },
        h("div", { class: "wallet-head" }, h("span", {}, t("home.available")), badge),
        balance,
        h("div", { class: "muted" }, t("home.frozen"), " ", frozen, " · ", t("home.total"), " ", total),
        h("div", { class: "muted small" }, t("home.accountNo"), " ", h("span", { testid: "account-no" }, account.accountNo)),
        lastChange),
      h("nav", { class: "shortcuts" }, SHORTCUTS.map((name) => h("a", { href: `#/${name}`, class: "shortcut", testid: `shortcut-${name}` }, t(`nav.${camel(name)}`)))),
      h("div", { class: "card" }, h("h2", {}, t("home.recent")), recent, h("a", { href: "#/history" }, t("home.allTransactions"))));
    await loadRecent();
    return stop;
  },
};

function camel(name) {
  return name.replace(/-(\w)/g, (m, c) => c.toUpperCase());
}
