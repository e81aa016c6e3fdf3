// A small graphql-transport-ws client: connection_init with the bearer token,
// subscribe / next / error / complete, ping -> pong, reconnect with back-off and
// re-subscribe everything still active.

const PROTOCOL = "graphql-transport-ws";
const AUTH_REFUSED = new Set([4401, 4403]);

function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/graphql`;
}

export class WsClient {
  /**
   * @param {() => string|null} getToken  bearer token for connection_init (null: anonymous)
   * @param {{onAuthRefused?: () => Promise<boolean>, onState?: (state: string) => void}} options
   */
  constructor(getToken, options = {}) {
    this.getToken = getToken;
    this.onAuthRefused = options.onAuthRefused || null;
    this.onState = options.onState || (() => {});
    this.subscriptions = new Map();
    this.nextId = 1;
    this.socket = null;
    this.acknowledged = false;
    this.retries = 0;
    this.timer = null;
    this.idleTimer = null;
  }

  /** Start an operation; returns a function that stops it. */
  subscribe(query, variables, handlers) {
    const id = String(this.nextId++);
    this.subscriptions.set(id, { query, variables, handlers });
    clearTimeout(this.idleTimer);
    if (!this.socket) this.connect();
    else if (this.acknowledged) this.sendSubscribe(id);
    return () => this.stop(id);
  }

  stop(id) {
    if (!this.subscriptions.delete(id)) return;
    if (this.acknowledged) this.send({ id, type: "complete" });
    if (!this.subscriptions.size) {
      // close an idle socket a little later, so a re-rendered screen can reuse it
      this.idleTimer = setTimeout(() => this.subscriptions.size || this.disconnect(), 1500);
    }
  }

  /** Drop the connection (e.g. after sign-out or a new token) and reconnect if still needed. */
  restart() {
    this.disconnect();
    if (this.subscriptions.size) this.connect();
  }

  close() {
    this.subscriptions.clear();
    this.disconnect();
  }

  disconnect() {
    clearTimeout(this.timer);
    clearTimeout(this.idleTimer);
    const socket = this.socket;
    this.socket = null;
    this.acknowledged = false;
    if (socket) {
      socket.onclose = null;
      socket.close(1000);
    }
    this.onState("closed");
  }

  connect() {
    const socket = new WebSocket(socketUrl(), PROTOCOL);
    this.socket = socket;
    this.onState("connecting");
    socket.onopen = () => {
      const token = this.getToken();
      this.send({ type: "connection_init", payload: token ? { authorization: `Bearer ${token}` } : {} });
    };
    socket.onmessage = (event) => this.receive(JSON.parse(event.data));
    socket.onclose = (event) => this.closed(socket, event);
  }

  receive(message) {
    const entry = message.id ? this.subscriptions.get(message.id) : null;
    switch (message.type) {
      case "connection_ack":
        this.acknowledged = true;
        this.retries = 0;
        for (const id of this.subscriptions.keys()) this.sendSubscribe(id);
        this.onState("live");
        break;
      case "ping":
        this.send({ type: "pong" });
        break;
      case "next":
        if (!entry) break;
        if (message.payload.errors && message.payload.errors.length) entry.handlers.error?.(message.payload.errors);
        else entry.handlers.next(message.payload.data);
        break;
      case "error":
        if (!entry) break;
        this.subscriptions.delete(message.id);
        entry.handlers.error?.(message.payload);
        break;
      case "complete":
        if (!entry) break;
        this.subscriptions.delete(message.id);
        entry.handlers.complete?.();
        break;
      default:
        break;
    }
  }

  async closed(socket, event) {
    if (socket !== this.socket) return;
    this.socket = null;
    this.acknowledged = false;
    this.onState("closed");
    for (const { handlers } of this.subscriptions.values()) handlers.stopped?.();
    if (!this.subscriptions.size) return;
    if (AUTH_REFUSED.has(event.code) && this.onAuthRefused) {
      if (!(await this.onAuthRefused())) {
        for (const { handlers } of this.subscriptions.values()) handlers.error?.([{ message: "UNAUTHENTICATED" }]);
        this.subscriptions.clear();
        return;
      }
    }
    const delay = Math.min(10000, 500 * 2 ** this.retries++);
    this.timer = setTimeout(() => this.subscriptions.size && !this.socket && this.connect(), delay);
  }

  sendSubscribe(id) {
    const { query, variables, handlers } = this.subscriptions.get(id);
    this.send({ id, type: "subscribe", payload: { query, variables } });
    handlers.started?.();
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }
}
