// Boot, hash router, navigation bar and language switch.

import { h, fill } from "./dom.js";
import { t, lang, setLang, onLangChange } from "./i18n.js";
import { app } from "./app.js";
import { session } from "./session.js";
import { gql } from "./api.js";
import { enableSandbox, hideBanner } from "./sandbox.js";
import { forgetAllDeviceCodes } from "./devicecode.js";
import { SCREENS, NAV_SIGNED_IN, NAV_SIGNED_OUT } from "./screens/index.js";

const root = document.getElementById("app");
let cleanup = null;
let renderCount = 0;

function currentRoute() {
  const [name, ...params] = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  return { name: name || (session.signedIn ? "home" : "login"), params };
}

function allowed(screen) {
  if (screen.auth && !session.signedIn) return false;
  if (screen.roles && !app.hasRole(...screen.roles) && !(screen.allow && screen.allow(app))) return false;
  return true;
}

async function route() {
  const token = ++renderCount;
  if (cleanup) {
    try {
      cleanup();
    } catch (error) {
      console.error(error);
    }
    cleanup = null;
  }
  let { name, params } = currentRoute();
  let screen = SCREENS[name];
  if (!screen) {
    screen = SCREENS[session.signedIn ? "home" : "login"];
    name = screen.name;
  }
  if (screen.auth && !session.signedIn) {
    location.replace(`#/login`);
    return;
  }
  if (session.signedIn && screen.guestOnly) {
    location.replace(`#/home`);
    return;
  }
  if (session.signedIn && !app.viewer) {
    try {
      await app.loadViewer();
    } catch (error) {
      console.error(error);
    }
    if (!session.signedIn) return; // refresh failed: signed out, the listener re-routes
  }
  renderNav(name);
  hideBanner(); // a sandbox code belongs to the form it was asked for
  if (!allowed(screen)) {
    fill(root, h("section", { class: "card", testid: "forbidden" }, h("h1", {}, t("common.forbidden"))));
    return;
  }
  document.body.dataset.screen = name;
  fill(root, h("p", { class: "muted" }, t("common.loading")));
  const section = h("section", { class: `screen screen-${name}`, testid: `screen-${name}` });
  try {
    const result = await screen.render(section, { params, app });
    if (token !== renderCount) {
      if (typeof result === "function") result();
      return;
    }
    cleanup = typeof result === "function" ? result : null;
    fill(root, section);
  } catch (error) {
    console.error(error);
    if (token !== renderCount) return;
    fill(root, h("section", { class: "card", testid: "screen-failed" },
      h("h1", {}, t("common.failed")), h("p", { class: "error-detail" }, error.message || String(error))));
  }
}

function renderNav(active) {
  const items = session.signedIn ? NAV_SIGNED_IN.filter((name) => allowed(SCREENS[name])) : NAV_SIGNED_OUT;
  fill(document.getElementById("nav"), items.map((name) =>
    h("a", { href: `#/${name}`, class: name === active ? "active" : "", testid: `nav-${name}` }, t(SCREENS[name].title))));
  const who = document.getElementById("who");
  fill(who, app.viewer ? app.viewer.phone : "");
  const signOut = document.getElementById("sign-out");
  signOut.hidden = !session.signedIn;
  signOut.textContent = t("nav.signOut");
  document.getElementById("lang-switch").textContent = lang() === "zh" ? "English" : "中文";
  document.title = t("app.title");
}

async function signOut() {
  const refreshToken = session.refreshToken;
  session.signOut();
  if (refreshToken) {
    gql(`mutation Logout($input: LogoutInput!) { logout(input: $input) { ok } }`, { input: { refreshToken } }).catch(() => {});
  }
}

async function boot() {
  document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
  document.getElementById("lang-switch").addEventListener("click", () => setLang(lang() === "zh" ? "en" : "zh"));
  document.getElementById("sign-out").addEventListener("click", signOut);
  onLangChange(() => route());
  session.onChange((state, reason) => {
    if (reason === "signed-out") {
      forgetAllDeviceCodes(); // the payment-code secret leaves the device with the user
      hideBanner();
      app.navigate("/login");
    }
  });
  window.addEventListener("hashchange", route);
  try {
    const health = await (await fetch("/health")).json();
    app.sandbox = health.mode === "sandbox";
  } catch {
    app.sandbox = false;
  }
  if (app.sandbox) enableSandbox();
  document.body.dataset.ready = "true";
  await route();
}

boot();
