// The room's WebSocket: join, reconnect with exponential backoff, and resend actions the
// server has not acknowledged yet (each carries an id; the server applies a repeated id once).

const MAX_DELAY_MS = 15000;
const PING_EVERY_MS = 25000;
const PONG_WITHIN_MS = 8000;
export const CLOSE_ROOM_GONE = 4404;
export const CLOSE_REMOVED = 4403; // removed by the facilitator: never reconnect

function randomId() {
  const bytes = new Uint8Array(6);
  window.crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export class RoomConnection {
  /**
   * handlers: onWelcome(msg), onState(msg), onJoinError(msg), onActionError(msg, action),
   * onAck(action), onStatus(status, detail) with status "connecting" | "online" | "waiting" |
   * "gone" | "removed".
   */
  constructor({ url, lang, handlers }) {
    this.url = url;
    this.lang = lang;
    this.handlers = handlers;
    this.ws = null;
    this.joined = false;
    this.payload = null; // {token} or {name}
    this.pending = new Map(); // id → message, in sending order
    this.prefix = randomId();
    this.counter = 0;
    this.attempt = 0;
    this.retryTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.gone = false;
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.checkNow();
    });
    window.addEventListener("online", () => this.checkNow());
  }

  /** Join (or come back) with {token} or {name}. */
  join(payload) {
    this.payload = payload;
    if (this.ws && this.ws.readyState === WebSocket.OPEN && !this.joined) {
      this.sendJoin();
    } else if (!this.ws || this.ws.readyState > WebSocket.OPEN) {
      this.connect();
    }
  }

  /** The actions sent and not yet acknowledged or refused. */
  pendingActions() {
    return [...this.pending.values()];
  }

  /** Stop for good (removed from the room, or the session cannot be joined). */
  stop() {
    this.gone = true;
    this.payload = null;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }

  /** Send a game action; it is kept until the server acknowledges or refuses it. */
  act(type, fields = {}) {
    this.counter += 1;
    const id = `${this.prefix}-${this.counter}`;
    const message = { type, ...fields, id };
    this.pending.set(id, message);
    if (this.joined) this.raw(message);
    return id;
  }

  get unacknowledged() {
    return this.pending.size;
  }

  connect() {
    if (this.gone) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.handlers.onStatus(this.attempt ? "waiting" : "connecting", 0);
    let ws;
    try {
      ws = new WebSocket(`${this.url}?lang=${encodeURIComponent(this.lang)}`);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    this.joined = false;
    ws.addEventListener("open", () => this.sendJoin());
    ws.addEventListener("message", (event) => this.receive(event.data));
    ws.addEventListener("close", (event) => this.closed(ws, event));
    ws.addEventListener("error", () => { /* a close event follows */ });
  }

  sendJoin() {
    if (this.payload) this.raw({ type: "join", lang: this.lang, ...this.payload });
  }

  raw(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  receive(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    clearTimeout(this.pongTimer);
    this.pongTimer = null;
    switch (msg.type) {
      case "welcome":
        this.joined = true;
        this.attempt = 0;
        this.payload = { token: msg.you.token };
        this.handlers.onStatus("online", 0);
        this.handlers.onWelcome(msg);
        for (const message of this.pending.values()) this.raw(message);
        this.startPing();
        break;
      case "state":
        this.handlers.onState(msg);
        break;
      case "ack": {
        const action = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (action && this.handlers.onAck) this.handlers.onAck(action);
        break;
      }
      case "error":
        if (msg.id && this.pending.has(msg.id)) {
          const action = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          this.handlers.onActionError(msg, action);
        } else if (!this.joined) {
          this.handlers.onJoinError(msg);
        } else {
          this.handlers.onActionError(msg, null);
        }
        break;
      default:
        break; // pong and future message types
    }
  }

  closed(ws, event) {
    if (ws !== this.ws) return;
    this.joined = false;
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    if (event.code === CLOSE_ROOM_GONE || event.code === CLOSE_REMOVED) {
      this.gone = true;
      this.handlers.onStatus(event.code === CLOSE_REMOVED ? "removed" : "gone", 0);
      return;
    }
    if (this.payload) this.scheduleRetry();
  }

  scheduleRetry() {
    if (this.gone || this.retryTimer) return;
    const base = Math.min(MAX_DELAY_MS, 500 * 2 ** this.attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt += 1;
    this.handlers.onStatus("waiting", delay);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  startPing() {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.ping(), PING_EVERY_MS);
  }

  ping() {
    if (!this.raw({ type: "ping" })) return;
    clearTimeout(this.pongTimer);
    // a socket that went silent (a phone that slept) is closed and reopened
    this.pongTimer = setTimeout(() => this.drop(), PONG_WITHIN_MS);
  }

  /** Give up on the current socket (without waiting for its close handshake) and retry. */
  drop() {
    const old = this.ws;
    this.ws = null;
    this.joined = false;
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    try {
      if (old) old.close();
    } catch {
      /* already closed */
    }
    this.scheduleRetry();
  }

  /** Back in view or back online: reconnect now instead of waiting for the backoff. */
  checkNow() {
    if (this.gone || !this.payload) return;
    if (!this.ws || this.ws.readyState > WebSocket.OPEN) {
      this.attempt = 0;
      this.connect();
    } else if (this.ws.readyState === WebSocket.OPEN && this.joined) {
      this.ping();
    }
  }

  /** For tests and the "retry now" button. */
  retryNow() {
    this.attempt = 0;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }
}
