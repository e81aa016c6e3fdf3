// Staff console: one tab per queue. Routes: #/staff/<tab>.

import { h, add } from "../dom.js";
import { t } from "../i18n.js";
import { STAFF_ROLES } from "../app.js";
import refunds from "./refunds.js";
import realName from "./realname.js";
import alerts from "./alerts.js";
import tickets from "./tickets.js";
import accounts from "./accounts.js";

const TABS = [refunds, realName, alerts, tickets, accounts];

export default {
  name: "staff",
  title: "nav.staff",
  auth: true,
  roles: STAFF_ROLES,
  async render(root, { app, params }) {
    const tabs = TABS.filter((tab) => app.hasRole(...tab.roles));
    const active = tabs.find((tab) => tab.name === params[0]) || tabs[0];
    add(root, 
      h("h1", {}, t("staff.title")),
      h("nav", { class: "tabs", testid: "staff-tabs" }, tabs.map((tab) =>
        h("a", { href: `#/staff/${tab.name}`, class: tab === active ? "active" : "", testid: `staff-tab-${tab.name}` }, t(tab.title)))));
    const panel = h("div", { class: "tab-panel", testid: `staff-panel-${active.name}` });
    add(root, panel);
    return active.render(panel, { app, params: params.slice(1) });
  },
};
