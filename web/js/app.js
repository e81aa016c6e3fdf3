// Shared state of the running app: the viewer, the user's websocket, sandbox mode.

import { gql, refreshTokens } from "./api.js";
import { session } from "./session.js";
import { WsClient } from "./ws.js";

export const ACCOUNT_FIELDS = "id accountNo currency balance available frozen status";
export const CARD_FIELDS = "id bankName maskedNumber last4 holderName isDefault createdAt";

const VIEWER = `query Viewer {
  viewer {
    id phone email realName idNumber realNameStatus roles status hasPaymentPassword riskTolerance totpEnabled
    account { ${ACCOUNT_FIELDS} }
    bankCards { ${CARD_FIELDS} }
    merchant { id merchantNo name category }
  }
}`;

export const STAFF_ROLES = ["SUPPORT", "RISK_OFFICER", "ADMIN"];

const liveListeners = new Set();

export const app = {
  viewer: null,
  sandbox: false,
  /** The user's websocket (connection_init carries the current access token). */
  socket: new WsClient(() => session.accessToken, {
    onAuthRefused: () => refreshTokens(),
    onState: (state) => {
      document.body.dataset.socket = state;
      for (const listener of liveListeners) listener(state);
    },
  }),

  async loadViewer() {
    if (!session.signedIn) {
      this.viewer = null;
      return null;
    }
    let data = await gql(VIEWER);
    // viewer is null (not an error) for an expired access token: trade the refresh token once
    if (!data.viewer && session.refreshToken && (await refreshTokens())) data = await gql(VIEWER);
    this.viewer = data.viewer;
    if (!this.viewer && session.signedIn) session.signOut();
    return this.viewer;
  },

  hasRole(...roles) {
    return Boolean(this.viewer && this.viewer.roles.some((role) => roles.includes(role)));
  },

  get isStaff() {
    return this.hasRole(...STAFF_ROLES);
  },

  get isMerchant() {
    return this.hasRole("MERCHANT") || Boolean(this.viewer && this.viewer.merchant);
  },

  navigate(path) {
    if (location.hash === `#${path}`) window.dispatchEvent(new HashChangeEvent("hashchange"));
    else location.hash = path;
  },

  onSocketState(listener) {
    liveListeners.add(listener);
    return () => liveListeners.delete(listener);
  },
};

session.onChange((state, reason) => {
  // a new identity needs a new connection_init; refreshed tokens keep the socket
  if (reason === "signed-in") app.socket.restart();
  if (reason === "signed-out") {
    app.socket.close();
    app.viewer = null;
  }
});
