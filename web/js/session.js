// The signed-in session: tokens in memory, mirrored to sessionStorage so a reload
// of the tab keeps the user signed in (closing the tab forgets them).

const STORAGE_KEY = "fenpay.session";
const listeners = new Set();

let state = load();

function load() {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

function save() {
  try {
    if (state) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage may be unavailable (private mode); memory still works
  }
}

function notify(reason) {
  for (const listener of listeners) listener(state, reason);
}

export const session = {
  get accessToken() {
    return state ? state.accessToken : null;
  },
  get refreshToken() {
    return state ? state.refreshToken : null;
  },
  /** The full phone number typed at sign-in or registration (the API only shows it masked). */
  get phone() {
    return state ? state.phone || null : null;
  },
  get signedIn() {
    return Boolean(state && state.accessToken);
  },
  /** Store AuthTokens from login, refreshSession or a confirmed QR login. */
  signIn(auth, { phone } = {}) {
    state = {
      accessToken: auth.accessToken,
      refreshToken: auth.refreshToken,
      phone: phone || (state && state.phone) || null,
    };
    save();
    notify("signed-in");
  },
  /** New tokens for the same user: subscriptions keep running, nothing re-renders. */
  refreshed(auth) {
    state = { ...state, accessToken: auth.accessToken, refreshToken: auth.refreshToken };
    save();
    notify("refreshed");
  },
  rememberPhone(phone) {
    if (!state) return;
    state = { ...state, phone };
    save();
  },
  signOut() {
    state = null;
    save();
    notify("signed-out");
  },
  onChange(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export const PHONE = /^1[3-9]\d{9}$/;
