// The game page (/r/{code}) and the presenter view (/r/{code}/presenter).
// The server's state is the only source of truth: every change re-renders the view from it.
import { i18n, lang } from "./i18n.js";
import { el, readJson, showError } from "./dom.js";
import { seats } from "./storage.js";
import { RoomConnection } from "./connection.js";
import { renderView } from "./views.js";
import { actionsPanel } from "./actions.js";

const config = readJson("room-config", {});
const code = config.code;
const presenter = config.view === "presenter";
const finishedAtLoad = config.phase === "synthesis";
const clockOffset = (config.server_now || Date.now() / 1000) - Date.now() / 1000;

const viewNode = document.getElementById("view");
const joinView = document.getElementById("join-view");
const statusNode = document.getElementById("conn-status");
const toast = document.getElementById("toast");
const toastText = document.getElementById("toast-text");
const announcer = document.getElementById("announcer");

const app = {
  config,
  presenter,
  you: null,
  state: null,
  version: -1,
  drafts: {}, // text being typed, by field key: survives re-renders
  sent: {}, // last open answer sent, by question key
  ui: { confirm: null, confirmRemove: null, confirmErase: false, copied: false, eraseError: "" },
  now: () => Date.now() / 1000 + clockOffset,
  act,
  pending: isPending,
  toast: showToast,
  setAnswer,
  rerender: render,
  announce,
  erase,
  facilitatorUrl: () => `${window.location.origin}/r/${code}#f=${seats.facilitator(code) || ""}`,
};

// Erasing the session (facilitator only): every answer, note and token is deleted at once.
async function erase() {
  const token = seats.facilitator(code);
  try {
    const response = await fetch(`/api/rooms/${code}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${token}`, "Accept-Language": lang },
    });
    if (response.status !== 204) {
      const body = await response.json().catch(() => ({}));
      throw new Error((body.error && body.error.message) || i18n("ui.erase.failed"));
    }
    seats.setFacilitator(code, null);
    seats.setPlayer(code, null);
    window.location.assign(`/?lang=${lang}&erased=1`);
  } catch (error) {
    app.ui.eraseError = error.message || i18n("ui.erase.failed");
    render();
  }
}

// --- the seat ------------------------------------------------------------------------------

function takeFragmentToken() {
  const match = /^#f=([A-Za-z0-9_-]+)$/.exec(window.location.hash);
  if (match) {
    seats.setFacilitator(code, match[1]);
  }
  if (window.location.hash) {
    // the token must not stay in the address bar (screen shares, history, copied links)
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
}

let usedToken = null; // "facilitator" | "player" | null (joined by name)

const connection = new RoomConnection({
  url: `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}/ws/rooms/${encodeURIComponent(code)}`,
  lang,
  handlers: {
    onWelcome(msg) {
      app.you = msg.you;
      if (msg.you.role === "player") seats.setPlayer(code, msg.you.token);
      joinView.hidden = true;
      acceptState(msg.version, msg.state);
    },
    onState(msg) {
      acceptState(msg.version, msg.state);
    },
    onJoinError(msg) {
      setStatus("idle", 0); // no "Connexion…" left behind an answered join
      if (msg.code === "removed") {
        removed();
      } else if (msg.code === "wrong_phase" || (msg.code === "room_not_found" && !usedToken && config.phase)) {
        // a newcomer refused by a room that existed when the page opened: the session is
        // over (servers answer "wrong phase" or, not to be probed by code, "not found")
        connection.stop();
        finished();
      } else if (msg.code === "bad_token") {
        if (usedToken === "facilitator") seats.setFacilitator(code, null);
        if (usedToken === "player") seats.setPlayer(code, null);
        usedToken = null;
        connection.payload = null;
        askName(msg.message);
      } else if (msg.code === "room_not_found") {
        roomGone();
      } else {
        connection.payload = null;
        askName(msg.message);
      }
    },
    onActionError(msg, action) {
      if (msg.code === "removed") {
        removed();
        return;
      }
      if (action && alreadyDone(action, msg.code)) {
        render(); // a repeated click on something already done: nothing to tell
        return;
      }
      showToast(msg.message || i18n("ui.error.generic"));
      if (action && STEP_ACTIONS.has(action.type) && ALREADY_DONE.has(msg.code)) {
        connection.act("sync"); // this screen may have missed the change
      } else if (action && action.type === "answer" && app.state) {
        // the refused answer was shown optimistically: ask for the truth again
        connection.act("sync");
      }
      render();
    },
    onAck(action) {
      lastDone[action.type] = Date.now();
      render(); // the action's buttons are enabled again
    },
    onStatus: setStatus,
  },
});

function newSeatToken() {
  const bytes = new Uint8Array(24);
  window.crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function askName(message) {
  viewNode.hidden = true;
  viewNode.setAttribute("aria-busy", "false");
  joinView.hidden = false;
  if (presenter) return;
  const error = document.getElementById("name-error");
  const input = document.getElementById("player-name");
  showError(error, message || "");
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
  input.focus();
}

function start() {
  takeFragmentToken();
  const facilitatorToken = seats.facilitator(code);
  const playerToken = seats.player(code);
  if (finishedAtLoad && !presenter && !facilitatorToken && !playerToken) {
    finished(); // nobody joins a finished session: say so, with no name form
    return;
  }
  if (facilitatorToken) {
    usedToken = "facilitator";
    // the presenter screen is read-only: it must not count as the facilitator being there
    connection.join(presenter ? { token: facilitatorToken, role: "viewer" } : { token: facilitatorToken });
  } else if (!presenter && playerToken) {
    usedToken = "player";
    connection.join({ token: playerToken });
  } else {
    askName("");
  }
  if (!presenter) {
    document.getElementById("name-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = document.getElementById("player-name");
      const name = input.value.trim().replace(/\s+/g, " ");
      if (!name) {
        askName(i18n("ui.join.name_required"));
        return;
      }
      usedToken = null;
      // the seat's token is chosen here, so a join retried after a lost connection comes
      // back to the same seat instead of making a second one
      connection.join({ name, token: newSeatToken() });
    });
  }
}

// --- state and rendering ---------------------------------------------------------------------

const seen = { phase: null, cardId: null, step: null, reader: null };

function acceptState(version, state) {
  if (typeof version === "number" && version < app.version) return; // an older broadcast
  if (typeof version === "number") app.version = version;
  const before = { ...seen };
  app.state = state;
  viewNode.hidden = false;
  viewNode.setAttribute("aria-busy", "false");
  const card = state.card;
  seen.phase = state.phase;
  seen.cardId = card ? card.id : null;
  seen.step = state.step;
  seen.reader = state.reader_id;
  if (before.cardId !== seen.cardId) {
    app.drafts = Object.fromEntries(
      Object.entries(app.drafts).filter(([key]) => !key.startsWith("answer:")));
    app.sent = {};
  }
  const moved = before.phase !== seen.phase || before.step !== seen.step || before.cardId !== seen.cardId;
  if (moved) {
    app.ui.confirm = null;
    app.ui.confirmRemove = null;
  }
  document.body.dataset.phase = state.phase;
  document.body.dataset.step = state.step || "";
  render();
  if (before.phase === null) return; // the first state: nothing to announce
  if (moved) toTop();
  if (before.phase !== seen.phase) {
    announce(i18n(`ui.announce.phase_${state.phase}`));
  } else if (card && before.cardId !== card.id) {
    const theme = (config.deck.themes || []).find((t) => t.id === card.theme);
    announce(i18n("ui.announce.new_card", { title: card.title, theme: theme ? theme.title : "" }));
  } else if (card && before.step !== "revealed" && state.step === "revealed") {
    announce(i18n("ui.announce.revealed"));
  } else if (!card && before.cardId) {
    announce(i18n("ui.announce.card_closed"));
  }
  if (app.you && before.reader !== seen.reader && seen.reader === app.you.id && !card) {
    announce(i18n("ui.announce.your_turn"));
  }
}

// A new phase, card or step: everybody starts again from the top of the page, and keyboard
// and screen-reader users from its heading (a phone must not land mid-page).
function toTop() {
  const active = document.activeElement;
  const typing = active && active.matches && active.matches("textarea, input[type=text]") && viewNode.contains(active);
  if (!typing) {
    const target = viewNode.querySelector("#card-title, #view-heading");
    if (target) target.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

function render() {
  if (!app.state) return;
  const active = document.activeElement;
  const key = active && active.dataset ? active.dataset.focusKey : null;
  const selection = key && "selectionStart" in active
    ? [active.selectionStart, active.selectionEnd] : null;
  const scroll = window.scrollY;
  viewNode.replaceChildren(renderView(app), actionsPanel(app));
  if (key) {
    const again = viewNode.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
    if (again) {
      again.focus({ preventScroll: true });
      if (selection && again.setSelectionRange) {
        try {
          again.setSelectionRange(selection[0], selection[1]);
        } catch {
          /* not a text field */
        }
      }
      window.scrollTo(0, scroll);
    } else if (viewNode.contains(active) || active === document.body) {
      // the control went away (drawn, revealed…): keep keyboard users on the card
      const fallback = viewNode.querySelector("#card-title, #view-heading");
      if (fallback) fallback.focus({ preventScroll: true });
    }
  }
  tickTimer();
  if (presenter) fitToScreen();
}

// The shared screen never scrolls: when a card's texts are long, the whole view is set a
// little smaller (in steps) until it fits the window. Layout is read synchronously, so no
// intermediate size is ever painted.
const FIT_STEPS = [1, 0.93, 0.86, 0.8, 0.74];

function fitToScreen() {
  const root = document.documentElement;
  for (const step of FIT_STEPS) {
    root.style.setProperty("--fit", String(step));
    if (root.scrollHeight <= window.innerHeight + 1) return;
  }
}

if (presenter) window.addEventListener("resize", () => fitToScreen());

// --- actions ---------------------------------------------------------------------------------

// Actions that move the game on: one at a time. A second click while the first is on its
// way is ignored, and the server's "already done" answer to a repeat is not an error to show.
const STEP_ACTIONS = new Set(["start", "draw", "reveal", "next", "finish", "skip", "park", "pass_turn", "lock", "remove", "frame"]);
const ALREADY_DONE = new Set(["wrong_phase", "already_revealed", "not_revealed", "card_in_play", "no_current_card", "no_cards_left", "theme_empty"]);

function isPending(type) {
  return connection.pendingActions().some((m) => m.type === type);
}

// Refusals that only mean "the game is no longer at that step" after this screen itself did
// that step a moment ago (a double click, a retry): nothing to tell. Other refusals are shown,
// and the screen asks for the current state in case it missed a change.
const lastDone = {};

function alreadyDone(action, errorCode) {
  return STEP_ACTIONS.has(action.type) && ALREADY_DONE.has(errorCode)
    && Date.now() - (lastDone[action.type] || 0) < 10000;
}

function act(type, fields = {}) {
  if (STEP_ACTIONS.has(type) && isPending(type)) return;
  connection.act(type, fields);
  if (STEP_ACTIONS.has(type)) render();
  if (connection.unacknowledged && statusNode.dataset.state !== "online") {
    setStatus(statusNode.dataset.state || "waiting", 0);
  }
}

function setAnswer(questionId, value) {
  const state = app.state;
  if (!state || !state.card) return;
  state.my_answers = { ...(state.my_answers || {}), [questionId]: value };
  act("answer", { card_id: state.card.id, question_id: questionId, value });
  render();
}

// --- messages to the person ------------------------------------------------------------------

let toastTimer = null;

function showToast(message) {
  toastText.textContent = message;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    toast.hidden = true;
  }, 8000);
}

document.getElementById("toast-close").addEventListener("click", () => {
  toast.hidden = true;
});

function announce(message) {
  announcer.textContent = "";
  // a fresh text node after a tick makes screen readers speak a repeated message too
  window.setTimeout(() => {
    announcer.textContent = message;
  }, 50);
}

function setStatus(status, delay) {
  statusNode.dataset.state = status;
  document.body.classList.toggle("is-offline", status !== "online" && status !== "idle");
  if (status === "removed") {
    removed();
    return;
  }
  if (status === "online" || status === "idle") {
    statusNode.hidden = true;
    statusNode.replaceChildren();
    return;
  }
  statusNode.hidden = false;
  if (status === "gone") {
    roomGone();
    return;
  }
  const parts = [];
  if (status === "connecting") parts.push(i18n("ui.status.connecting"));
  else parts.push(i18n("ui.status.reconnecting"));
  if (delay > 1500) parts.push(i18n("ui.status.retry_in", { seconds: Math.round(delay / 1000) }));
  if (connection.unacknowledged) {
    parts.push(i18n("ui.status.pending", { count: connection.unacknowledged }));
  }
  const retry = status === "waiting" && delay > 1500
    ? el("button", { type: "button", class: "btn btn-small", onclick: () => connection.retryNow() },
      i18n("ui.status.retry_now"))
    : null;
  statusNode.replaceChildren(el("span", { class: "spinner", "aria-hidden": "true" }),
    el("span", {}, parts.join(" ")), ...(retry ? [retry] : []));
}

function removed() {
  connection.stop();
  seats.setPlayer(code, null);
  statusNode.hidden = true;
  joinView.hidden = true;
  app.state = null;
  plainPage(i18n("ui.removed.heading"), i18n("ui.removed.text"),
    el("a", { class: "btn btn-primary", href: "/" }, i18n("ui.back_home")));
}

// A finished session opened by somebody without a seat: no name form, no error, no spinner.
function finished() {
  statusNode.hidden = true;
  joinView.hidden = true;
  const report = `${config.report_url}`;
  plainPage(i18n("ui.finished.heading"), i18n("ui.finished.text"),
    el("p", {}, el("a", { class: "btn btn-primary", href: report }, i18n("ui.finished.report"))),
    el("p", { class: "muted small" }, i18n("ui.finished.report_hint")),
    el("p", {}, el("a", { href: "/" }, i18n("ui.back_home"))));
}

function plainPage(title, text, ...more) {
  viewNode.hidden = false;
  viewNode.setAttribute("aria-busy", "false");
  viewNode.replaceChildren(el("section", { class: "panel not-found" },
    el("h1", { id: "view-heading", tabindex: "-1" }, title),
    el("p", {}, text), ...more));
  const h = document.getElementById("view-heading");
  if (h) h.focus({ preventScroll: true });
}

function roomGone() {
  statusNode.hidden = true;
  joinView.hidden = true;
  viewNode.hidden = false;
  viewNode.setAttribute("aria-busy", "false");
  viewNode.replaceChildren(el("section", { class: "panel not-found" },
    el("h1", { id: "view-heading", tabindex: "-1" }, i18n("ui.room.not_found_heading")),
    el("p", {}, i18n("ui.room.gone")),
    el("p", {}, el("a", { class: "btn btn-primary", href: "/" }, i18n("ui.back_home")))));
}

// --- the card timer --------------------------------------------------------------------------

let timeUpAnnounced = null;

function tickTimer() {
  const node = document.getElementById("timer");
  const state = app.state;
  if (!node || !state || !state.deadline) return;
  const left = Math.max(0, Math.round(state.deadline - app.now()));
  const minutes = Math.floor(left / 60);
  const seconds = String(left % 60).padStart(2, "0");
  const value = node.querySelector(".timer-value");
  if (value) value.textContent = `${minutes}:${seconds}`;
  node.classList.toggle("is-urgent", left <= 30);
  node.classList.toggle("is-over", left === 0);
  const label = node.querySelector(".timer-label");
  if (label) label.textContent = left === 0 ? i18n("ui.timer.over") : i18n("ui.timer.left");
  if (left === 0 && timeUpAnnounced !== state.deadline) {
    timeUpAnnounced = state.deadline;
    announce(i18n("ui.timer.over"));
  }
}

window.setInterval(tickTimer, 1000);

start();
