// Subscriptions for screens: a badge shows whether the live feed is connected
// (data-live="on" once the subscribe message went out on an acknowledged socket).

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { app } from "./app.js";

export function liveBadge(testid = "live-badge") {
  return h("span", { class: "live", testid, dataset: { live: "off" }, title: t("live.hint") }, t("live.badge"));
}

/** Subscribe; returns the stop function a screen hands back as (part of) its cleanup. */
export function live(query, variables, onData, { socket = app.socket, badge = null, onError = null } = {}) {
  const mark = (state) => {
    if (badge) badge.dataset.live = state;
  };
  return socket.subscribe(query, variables, {
    next: onData,
    started: () => mark("on"),
    stopped: () => mark("off"),
    error: (errors) => {
      mark("error");
      if (onError) onError(errors);
      else console.warn("subscription error", errors);
    },
    complete: () => mark("off"),
  });
}
