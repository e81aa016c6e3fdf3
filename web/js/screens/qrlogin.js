// QR login on the computer: show the code, follow its status live over an anonymous
// websocket (the secret proves we created it) and sign in when the phone confirms.

import { h, fill, svgImage, add } from "../dom.js";
import { t, label } from "../i18n.js";
import { mutate, USER_ERROR } from "../api.js";
import { WsClient } from "../ws.js";
import { live, liveBadge } from "../live.js";
import { errorText } from "../forms.js";
import { completeSignIn } from "./auth.js";

const CREATE = `mutation CreateQrLogin($input: CreateQrLoginSessionInput!) {
  createQrLoginSession(input: $input) { session { id payload svg status expiresAt } secret ${USER_ERROR} }
}`;

const STATUS = `subscription QrLoginStatus($sessionId: ID!, $secret: String!) {
  qrLoginStatus(sessionId: $sessionId, secret: $secret) {
    status
    session { id status expiresAt }
    auth { accessToken refreshToken expiresIn user { id } }
  }
}`;

function describeClient() {
  const agent = navigator.userAgent;
  const browser = /Edg\//.test(agent) ? "Edge" : /Chrom(e|ium)\//.test(agent) ? "Chrome" : /Firefox\//.test(agent) ? "Firefox" : /Safari\//.test(agent) ? "Safari" : "Browser";
  const system = /Windows/.test(agent) ? "Windows" : /Mac OS/.test(agent) ? "macOS" : /Android/.test(agent) ? "Android" : /Linux/.test(agent) ? "Linux" : "";
  return `${browser}${system ? " / " + system : ""} (fenpay web)`;
}

export default {
  name: "qr-login",
  title: "nav.qrLogin",
  guestOnly: true,
  render(root) {
    const socket = new WsClient(() => null);
    const badge = liveBadge("qr-live");
    const status = h("strong", { class: "status", testid: "qr-login-status" });
    const picture = h("div", { class: "qr-box", testid: "qr-login-code" });
    const payloadText = h("code", { class: "payload", testid: "qr-login-payload" });
    const message = h("p", { class: "form-error", testid: "qr-login-error" });
    const refresh = h("button", { type: "button", class: "secondary", testid: "qr-login-refresh" }, t("qr.refresh"));
    let stop = null;
    let expiryTimer = null;
    let current = null;

    const show = (value) => {
      status.dataset.status = value;
      status.textContent = label("QrLoginStatus", value);
      status.className = `status status-${value}`;
      picture.classList.toggle("faded", value === "EXPIRED" || value === "REJECTED");
    };

    const watchExpiry = (expiresAt) => {
      clearTimeout(expiryTimer);
      const left = new Date(expiresAt).getTime() - Date.now();
      expiryTimer = setTimeout(() => {
        if (current && (status.dataset.status === "PENDING" || status.dataset.status === "SCANNED")) show("EXPIRED");
      }, Math.max(0, left) + 500);
    };

    const start = async () => {
      if (stop) stop();
      clearTimeout(expiryTimer);
      fill(message);
      refresh.disabled = true;
      try {
        const payload = await mutate("createQrLoginSession", CREATE, { clientDescription: describeClient() });
        if (payload.errors.length) {
          fill(message, errorText(payload.errors[0].code));
          return;
        }
        current = payload.session;
        fill(picture, svgImage(current.svg, t("qr.alt"), "qr-login-image"));
        payloadText.textContent = current.payload;
        show(current.status);
        watchExpiry(current.expiresAt);
        stop = live(STATUS, { sessionId: current.id, secret: payload.secret }, (data) => {
          const event = data.qrLoginStatus;
          show(event.status);
          if (event.session && event.session.expiresAt) watchExpiry(event.session.expiresAt);
          if (event.status === "CONFIRMED" && event.auth) {
            cleanup();
            completeSignIn(event.auth, null);
          }
        }, { socket, badge, onError: (errors) => fill(message, errors[0] ? errors[0].message : t("error.UNKNOWN")) });
      } catch (error) {
        fill(message, errorText(error.code || "NETWORK"));
      } finally {
        refresh.disabled = false;
      }
    };

    const cleanup = () => {
      clearTimeout(expiryTimer);
      current = null;
      socket.close();
    };

    refresh.addEventListener("click", start);
    add(root, h("div", { class: "card narrow center" },
      h("h1", {}, t("qr.title"), " ", badge),
      h("p", { class: "muted" }, t("qr.instructions")),
      picture,
      h("p", {}, t("qr.status"), " ", status),
      h("details", { class: "payload-details" }, h("summary", {}, t("qr.payload")), payloadText),
      message,
      h("div", { class: "actions" }, refresh),
      h("p", { class: "muted" }, h("a", { href: "#/login" }, t("qr.toPassword")))));
    start();
    return cleanup;
  },
};
