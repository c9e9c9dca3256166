// What the game page shows, as a pure function of the app (state, who you are, drafts).
// Everything from the server or other players is set as text, never as HTML.
// Three audiences: a participant (often on a phone), the facilitator (a laptop, with one fixed
// action bar), and the presenter view (a shared screen: large type, fits one screen).
import { i18n } from "./i18n.js";
import { el } from "./dom.js";
import { inkFor } from "./colors.js";

const VOTES = ["yes", "no", "unsure"];
const VOTE_ICONS = { yes: "✓", no: "✗", unsure: "?" };
const LEVEL_ICONS = { ok: "✓", watch: "!", alert: "!!", not_assessed: "–" };
const LEVEL_COLORS = { ok: "#1b7f5b", watch: "#a86f00", alert: "#a3312a", not_assessed: "#8a96a8" };
const OPEN_DEBOUNCE_MS = 900;

export function renderView(app) {
  const { state } = app;
  let view;
  if (state.phase === "lobby") view = lobby(app);
  else if (state.phase === "synthesis") view = synthesis(app);
  else view = playing(app);
  const bar = isFacilitator(app) ? actionBar(app) : null;
  return el("div", { class: `view-root${bar ? " has-action-bar" : ""}` }, view, bar);
}

// --- helpers ---------------------------------------------------------------------------------

function role(app) {
  if (app.presenter) return "presenter";
  return app.you ? app.you.role : "player";
}

function isFacilitator(app) {
  return role(app) === "facilitator";
}

function canLead(app) {
  const r = role(app);
  return r === "facilitator" || (r === "player" && app.state.reader_id === app.you.id);
}

function playerName(state, id) {
  const p = state.players.find((x) => x.id === id);
  return p ? p.name : "?";
}

function seated(state) {
  return state.players.filter((p) => p.role === "player");
}

function facilitatorName(state) {
  const f = state.players.find((p) => p.role === "facilitator");
  return f ? f.name : "";
}

function theme(app, id) {
  return (app.config.deck.themes || []).find((t) => t.id === id) || { id, title: id, color: "#2a6f97" };
}

// Optional server features are recognised by their fields, so the page works with or
// without them.
const canRemove = (state) => typeof state.locked === "boolean";
const hasFraming = (state) => Boolean(state.settings && ("title" in state.settings || "ai_system" in state.settings));

function button(label, onClick, { cls = "btn", key = null, pressed = null, disabled = false, describedby = null, aria = null, title = null, id = null } = {}) {
  return el("button", {
    type: "button",
    class: cls,
    id,
    onclick: onClick,
    "data-focus-key": key,
    "aria-pressed": pressed === null ? null : String(pressed),
    "aria-describedby": describedby,
    "aria-label": aria,
    title,
    disabled,
  }, label);
}

// A button for a game action: disabled while that action waits for the server's answer.
function actionButton(app, label, type, fields, opts = {}) {
  const pending = app.pending(type);
  // The action bar puts the next step in the same place ("next" becomes "draw" as soon as the
  // server answers): the second click of a double click (event.detail 2) must not do that
  // next step too. Keyboard activation has detail 0.
  const onClick = opts.singleClick
    ? (event) => { if (!(event && event.detail > 1)) app.act(type, fields); }
    : () => app.act(type, fields);
  const { singleClick, ...rest } = opts;
  return button(label, onClick, { ...rest, disabled: opts.disabled || pending });
}

function heading(level, text, props = {}) {
  return el(`h${level}`, { id: "view-heading", tabindex: "-1", ...props }, text);
}

function initials(name) {
  const parts = String(name).trim().split(/\s+/).filter(Boolean);
  const letters = parts.slice(0, 2).map((w) => Array.from(w)[0] || "").join("");
  return letters.toUpperCase() || "?";
}

function spaced(code) {
  return `${code.slice(0, 3)} ${code.slice(3)}`;
}

// --- the session's frame (title, organisation, the AI system under discussion) ---------------

function aiSystem(state) {
  const s = (state.settings || {}).ai_system;
  return s && typeof s === "object" ? s : null;
}

function sessionHeader(app, { big = false } = {}) {
  const s = app.state.settings || {};
  const sys = aiSystem(app.state);
  const lines = [];
  if (s.title) lines.push(el(big ? "p" : "p", { class: "session-title" }, s.title));
  if (s.organisation) lines.push(el("p", { class: "session-org muted" }, s.organisation));
  if (hasFraming(app.state)) {
    lines.push(el("p", { class: "session-system" },
      sys && sys.name
        ? [el("span", { class: "label-inline" }, `${i18n("ui.frame.system")} `), el("strong", {}, sys.name),
          sys.stage ? el("span", { class: "tag" }, i18n(`ui.frame.stage_${sys.stage}`)) : null]
        : el("span", { class: "muted" }, i18n("ui.frame.no_system"))));
    if (sys && sys.purpose) lines.push(el("p", { class: "session-purpose muted small" }, sys.purpose));
  }
  const fac = facilitatorName(app.state);
  if (fac && role(app) !== "facilitator" && !(app.config.facilitator_defaults || []).includes(fac)) {
    lines.push(el("p", { class: "session-facilitator muted small" }, i18n("ui.lobby.led_by", { name: fac })));
  }
  return lines.length ? el("div", { class: "session-frame" }, lines) : null;
}

// The reminder on every card: players answer for their own workplace and the named system.
function cardFrame(app) {
  const sys = aiSystem(app.state);
  return el("p", { class: "card-frame", id: "card-frame" },
    el("span", { class: "card-frame-icon", "aria-hidden": "true" }, "◎ "),
    i18n("ui.frame.answer_for"),
    sys && sys.name ? el("span", {}, " — ", el("strong", {}, sys.name))
      : hasFraming(app.state) ? el("span", { class: "muted" }, ` — ${i18n("ui.frame.no_system")}`) : null);
}

// --- players ---------------------------------------------------------------------------------

function playersList(app, { withAnswers = false } = {}) {
  const { state } = app;
  const people = seated(state);
  const questions = state.questions || [];
  const manage = isFacilitator(app) && canRemove(state);
  const items = people.map((p) => {
    const done = questions.filter((q) => (q.answered_by || []).includes(p.id)).length;
    const isReader = state.phase === "playing" && p.id === state.reader_id;
    const isYou = app.you && p.id === app.you.id;
    const confirming = app.ui.confirmRemove === p.id;
    return el("li", { class: `player${p.connected ? "" : " is-away"}${isReader ? " is-reader" : ""}` },
      el("span", { class: "avatar", "aria-hidden": "true" }, initials(p.name)),
      el("span", { class: "player-name", title: p.name }, p.name),
      isYou ? el("span", { class: "tag" }, i18n("ui.players.you")) : null,
      isReader ? el("span", { class: "tag tag-reader" }, i18n("ui.players.reader")) : null,
      p.connected ? null : el("span", { class: "tag tag-away" }, i18n("ui.players.away")),
      withAnswers && state.card && state.step === "answering"
        ? el("span", { class: `answered-mark${done === questions.length ? " is-done" : ""}` },
          done === questions.length ? `✓ ${i18n("ui.players.answered")}` : i18n("ui.players.answered_count", { done, total: questions.length }))
        : null,
      manage && !confirming
        ? button("✕", () => { app.ui.confirmRemove = p.id; app.rerender(); }, {
          cls: "btn btn-icon", key: `remove-${p.id}`, aria: i18n("ui.players.remove", { name: p.name }), title: i18n("ui.players.remove", { name: p.name }),
        })
        : null,
      manage && confirming
        ? el("div", { class: "confirm confirm-remove", role: "group", "aria-labelledby": `remove-q-${p.id}` },
          el("p", { id: `remove-q-${p.id}` }, i18n("ui.players.remove_confirm", { name: p.name })),
          button(i18n("ui.players.remove_yes"), () => { app.ui.confirmRemove = null; app.act("remove", { player_id: p.id }); },
            { cls: "btn btn-danger btn-small", key: `remove-yes-${p.id}` }),
          button(i18n("ui.control.cancel"), () => { app.ui.confirmRemove = null; app.rerender(); },
            { cls: "btn btn-secondary btn-small", key: `remove-no-${p.id}` }))
        : null);
  });
  const connected = people.filter((p) => p.connected).length;
  return el("section", { class: "panel players", "aria-labelledby": "players-heading" },
    el("h2", { id: "players-heading" }, i18n("ui.players.heading", { count: people.length })),
    people.length
      ? el("ul", { class: "player-list" }, items)
      : el("p", { class: "muted" }, i18n("ui.players.none")),
    people.length && connected < people.length
      ? el("p", { class: "muted small" }, i18n("ui.players.connected", { count: connected }))
      : null);
}

function lockTag(state) {
  return state.locked ? el("p", { class: "lock-tag" }, i18n("ui.lock.locked")) : null;
}

// --- lobby -----------------------------------------------------------------------------------

function lobby(app) {
  const { state, config } = app;
  const r = role(app);
  if (r === "presenter") return presenterLobby(app);
  if (r === "player") {
    return el("div", { class: "lobby" },
      el("section", { class: "panel welcome" },
        heading(1, i18n("ui.lobby.welcome", { name: app.you.name })),
        el("p", { class: "lead" }, i18n("ui.lobby.waiting")),
        sessionHeader(app),
        el("p", { class: "muted" }, i18n("ui.lobby.deck", { count: state.cards_total, deck: config.deck.title }))),
      playersList(app));
  }
  const share = el("section", { class: "panel share", "aria-labelledby": "view-heading" },
    heading(1, i18n("ui.lobby.ready")),
    el("p", { class: "lead" }, i18n("ui.lobby.share")),
    el("div", { class: "share-grid" },
      el("div", { class: "share-code" },
        el("p", { class: "label", id: "code-label" }, i18n("ui.lobby.code")),
        el("p", { class: "big-code", "aria-labelledby": "code-label" }, spaced(config.code)),
        el("p", { class: "label" }, i18n("ui.lobby.link")),
        el("p", { class: "join-link" },
          el("a", { href: config.join_url, id: "join-link" }, config.join_url)),
        copyButton(app)),
      el("figure", { class: "qr" },
        el("img", { src: config.qr_url, alt: i18n("ui.lobby.qr_alt", { url: config.join_url }), width: "220", height: "220" }),
        el("figcaption", { class: "muted small" }, i18n("ui.lobby.qr_caption")))));
  const players = seated(state);
  const controls = el("section", { class: "panel lobby-controls", "aria-labelledby": "lobby-controls-heading" },
    el("h2", { id: "lobby-controls-heading" }, i18n("ui.control.heading")),
    el("p", { class: "muted" }, i18n("ui.lobby.deck", { count: state.cards_total, deck: config.deck.title })),
    settingsSummary(state),
    players.length ? null : el("p", { class: "hint", id: "start-hint" }, i18n("ui.lobby.start_hint")),
    hasFraming(state) ? frameForm(app) : null,
    lockControl(app),
    el("p", {}, el("a", { href: `/r/${config.code}/presenter`, target: "_blank", rel: "noopener" },
      i18n("ui.lobby.open_presenter"))),
    facilitatorLink(app));
  const frame = sessionHeader(app);
  return el("div", { class: "lobby lobby-host" },
    el("div", { class: "lobby-main" }, share, frame ? el("section", { class: "panel" }, frame) : null),
    el("div", { class: "lobby-side" }, playersList(app), controls));
}

function presenterLobby(app) {
  const { state, config } = app;
  const players = seated(state);
  return el("div", { class: "pres-lobby" },
    el("section", { class: "pres-join", "aria-labelledby": "view-heading" },
      heading(1, i18n("ui.lobby.presenter_heading")),
      sessionHeader(app, { big: true }),
      el("p", { class: "pres-step" }, i18n("ui.presenter.go_to")),
      el("p", { class: "pres-url" }, config.join_url.replace(/^https?:\/\//, "").replace(/\/r\/.*$/, "")),
      el("p", { class: "pres-step" }, i18n("ui.presenter.enter_code")),
      el("p", { class: "big-code pres-code", "aria-label": i18n("ui.room.code_aria", { code: config.code }) }, spaced(config.code)),
      lockTag(state),
      el("div", { class: "pres-arrivals", "aria-live": "polite" },
        el("p", { class: "pres-count" }, i18n("ui.presenter.joined", { count: players.length })),
        el("ul", { class: "pres-names" }, players.map((p) => el("li", { class: p.connected ? "" : "is-away", title: p.name }, p.name))))),
    el("figure", { class: "qr pres-qr" },
      el("img", { src: config.qr_url, alt: i18n("ui.lobby.qr_alt", { url: config.join_url }), width: "600", height: "600" }),
      el("figcaption", {}, i18n("ui.lobby.qr_caption"))));
}

// The facilitator's secret link, to take the session over from another device (a laptop that
// died, a switch to the room's PC). Shown on demand only: it must not end up on a shared screen.
function facilitatorLink(app) {
  if (!app.ui.showFacilitatorLink) {
    return button(i18n("ui.facilink.show"), () => { app.ui.showFacilitatorLink = true; app.rerender(); },
      { cls: "btn btn-link", key: "facilink-show" });
  }
  const link = app.facilitatorUrl();
  return el("div", { class: "facilink" },
    el("p", { class: "small", id: "facilink-help" }, i18n("ui.facilink.help")),
    el("input", { type: "text", readonly: true, value: link, class: "facilink-input",
      "aria-label": i18n("ui.facilink.label"), "aria-describedby": "facilink-help" }),
    button(i18n("ui.facilink.hide"), () => { app.ui.showFacilitatorLink = false; app.rerender(); },
      { cls: "btn btn-secondary", key: "facilink-hide" }));
}

function copyButton(app) {
  const label = app.ui.copied ? i18n("ui.lobby.copied") : i18n("ui.lobby.copy");
  return button(label, async () => {
    try {
      await navigator.clipboard.writeText(app.config.join_url);
      app.ui.copied = true;
    } catch {
      // no clipboard permission (http, old browser): select the link for a manual copy
      const range = document.createRange();
      range.selectNodeContents(document.getElementById("join-link"));
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
    }
    app.rerender();
    app.announce(i18n("ui.lobby.copied"));
  }, { cls: "btn btn-secondary", key: "copy" });
}

function settingsSummary(state) {
  const s = state.settings || {};
  const items = [
    s.anonymous ? i18n("ui.settings.anonymous") : i18n("ui.settings.named"),
    s.timer_minutes ? i18n("ui.settings.timer", { minutes: s.timer_minutes }) : i18n("ui.settings.no_timer"),
  ];
  return el("ul", { class: "settings-summary" }, items.map((text) => el("li", {}, text)));
}

// The framing of the session, editable in the lobby (message "frame").
function frameForm(app) {
  const s = app.state.settings || {};
  const sys = aiSystem(app.state) || {};
  const d = app.drafts;
  const value = (key, current) => (Object.prototype.hasOwnProperty.call(d, key) ? d[key] : (current || ""));
  const input = (key, label, current, max, { area = false } = {}) => {
    const id = `frame-${key.replace(/^frame:/, "").replace(/\./g, "-")}`;
    const control = el(area ? "textarea" : "input", { id, maxlength: String(max), "data-focus-key": key, rows: area ? "2" : null });
    control.value = value(key, current);
    control.addEventListener("input", () => { d[key] = control.value; });
    return el("div", { class: "option" }, el("label", { for: id }, label), control);
  };
  const stageKey = "frame:ai.stage";
  const stage = el("select", { id: "frame-ai-stage", "data-focus-key": stageKey },
    [["", i18n("ui.frame.stage_none")], ["idea", i18n("ui.frame.stage_idea")], ["pilot", i18n("ui.frame.stage_pilot")], ["in_use", i18n("ui.frame.stage_in_use")]]
      .map(([v, label]) => el("option", { value: v }, label)));
  stage.value = value(stageKey, sys.stage);
  stage.addEventListener("change", () => { d[stageKey] = stage.value; });
  const sizeKey = "frame:size";
  const size = el("select", { id: "frame-size", "data-focus-key": sizeKey },
    [["", i18n("ui.frame.stage_none")], ["under_11", i18n("ui.frame.size_under_11")], ["11_49", i18n("ui.frame.size_11_49")], ["50_plus", i18n("ui.frame.size_50_plus")]]
      .map(([v, label]) => el("option", { value: v }, label)));
  size.value = value(sizeKey, s.company_size);
  size.addEventListener("change", () => { d[sizeKey] = size.value; });
  const withSize = "company_size" in s;
  const open = app.ui.frameOpen || false;
  const details = el("details", { class: "frame-edit", open: open || null },
    el("summary", { "data-focus-key": "frame-summary" }, i18n("ui.frame.edit")),
    el("form", {
      class: "frame-form",
      onsubmit: (event) => {
        event.preventDefault();
        const get = (key, current) => value(key, current).trim();
        const name = get("frame:ai.name", sys.name);
        const purpose = get("frame:ai.purpose", sys.purpose);
        const users = get("frame:ai.users", sys.users);
        const st = value(stageKey, sys.stage) || null;
        const frame = {
          title: get("frame:title", s.title),
          organisation: get("frame:organisation", s.organisation),
          ai_system: name || purpose || users || st ? { name, purpose, users, stage: st } : null,
        };
        if (withSize) frame.company_size = value(sizeKey, s.company_size) || null;
        for (const key of Object.keys(d)) if (key.startsWith("frame:")) delete d[key];
        // focus must not stay on a control of the folded form (the browser would unfold it)
        app.ui.frameOpen = false;
        details.querySelector("summary").focus();
        app.act("frame", frame);
        app.announce(i18n("ui.frame.saved"));
      },
    },
    input("frame:title", i18n("ui.home.session_title"), s.title, 120),
    input("frame:organisation", i18n("ui.home.organisation"), s.organisation, 120),
    input("frame:ai.name", i18n("ui.home.ai_name"), sys.name, 80),
    input("frame:ai.purpose", i18n("ui.home.ai_purpose"), sys.purpose, 300, { area: true }),
    input("frame:ai.users", i18n("ui.home.ai_users"), sys.users, 200),
    el("div", { class: "option" }, el("label", { for: "frame-ai-stage" }, i18n("ui.home.ai_stage")), stage),
    withSize ? el("div", { class: "option" }, el("label", { for: "frame-size" }, i18n("ui.home.company_size")), size) : null,
    el("button", { type: "submit", class: "btn btn-secondary", "data-focus-key": "frame-save", disabled: app.pending("frame") }, i18n("ui.frame.save"))));
  // a toggle event of an element already replaced by a re-render must not reopen the form
  details.addEventListener("toggle", () => { if (details.isConnected) app.ui.frameOpen = details.open; });
  return details;
}

function lockControl(app) {
  const { state } = app;
  if (!canRemove(state)) return null;
  return el("div", { class: "lock-control" },
    lockTag(state),
    actionButton(app, state.locked ? i18n("ui.lock.unlock") : i18n("ui.lock.lock"), "lock", { locked: !state.locked },
      { cls: "btn btn-secondary btn-small", key: "lock", describedby: "lock-hint" }),
    el("p", { class: "hint", id: "lock-hint" }, i18n("ui.lock.hint")));
}

// --- the facilitator's fixed action bar --------------------------------------------------------
// One place, the same at every step, for the next thing to do.

function nextAction(app) {
  const { state, config } = app;
  if (state.phase === "lobby") {
    const none = seated(state).length === 0;
    return { label: i18n("ui.lobby.start"), type: "start", disabled: none, hint: none ? i18n("ui.lobby.start_hint") : i18n("ui.bar.ready", { count: seated(state).length }) };
  }
  if (state.phase === "synthesis") {
    return { label: i18n("ui.synthesis.report"), href: config.report_url, hint: i18n("ui.bar.synthesis") };
  }
  if (!state.card) {
    if (!state.cards_left) return { label: i18n("ui.control.finish"), type: "finish", hint: i18n("ui.play.all_done_facilitator") };
    const reader = state.reader_id ? playerName(state, state.reader_id) : "";
    return { label: i18n("ui.play.draw"), type: "draw", hint: reader ? i18n("ui.play.reader_draws", { name: reader }) : i18n("ui.play.cards_left", { count: state.cards_left }) };
  }
  if (state.step === "answering") {
    const { done, present } = turnout(state);
    return { label: i18n("ui.play.reveal"), type: "reveal", hint: i18n("ui.bar.answered", { count: done, present }) };
  }
  const notes = (state.notes || []).length;
  return {
    label: state.cards_left ? i18n("ui.play.next") : i18n("ui.play.next_last"),
    type: "next",
    hint: notes ? i18n("ui.bar.notes", { count: notes }) : i18n("ui.bar.notes_first"),
  };
}

function actionBar(app) {
  const next = nextAction(app);
  const primary = next.href
    ? el("a", { class: "btn btn-primary btn-bar", id: "next-action", href: next.href, "data-focus-key": "next-action" }, next.label)
    : actionButton(app, next.label, next.type, {}, { cls: "btn btn-primary btn-bar", id: "next-action", key: "next-action", disabled: next.disabled, describedby: "next-hint", singleClick: true });
  return el("div", { class: "action-bar", role: "region", "aria-label": i18n("ui.bar.label") },
    el("p", { class: "bar-hint", id: "next-hint" }, next.hint || ""),
    primary);
}

// Participants who answered every counted (yes/no) question of the card — open questions are
// prompts for the debate, left blank by many — among those present.
function turnout(state) {
  const people = seated(state);
  const kinds = Object.fromEntries(((state.card && state.card.questions) || []).map((q) => [q.id, q.kind]));
  const all = state.questions || [];
  const counted = all.some((q) => kinds[q.id] === "yes_no") ? all.filter((q) => kinds[q.id] === "yes_no") : all;
  const present = people.filter((p) => p.connected).length;
  const done = people.filter((p) => counted.length && counted.every((q) => (q.answered_by || []).includes(p.id))).length;
  return { done, present: Math.max(present, done) };
}

// --- playing ---------------------------------------------------------------------------------

function playing(app) {
  const { state } = app;
  if (app.presenter) return presenterPlaying(app);
  const main = el("div", { class: "play-col" }, progress(app), turnBanner(app),
    state.card ? cardView(app) : drawPanel(app));
  // after the reveal the facilitator's notes come first, next to the results and before "next"
  const notesAside = isFacilitator(app) && state.card && state.step === "revealed";
  const side = el("aside", { class: "side-col", "aria-label": i18n("ui.side.label") },
    notesAside ? notesView(app) : null,
    isFacilitator(app) ? facilitatorControls(app) : null,
    playersList(app, { withAnswers: true }),
    history(app));
  return el("div", { class: "game-layout" }, main, side);
}

function progress(app) {
  const { state } = app;
  const total = state.cards_total || 0;
  const current = state.card ? state.cards_done + 1 : state.cards_done;
  const bar = el("div", { class: "progress-bar", role: "presentation" }, el("span"));
  bar.firstChild.style.width = `${total ? Math.round((100 * state.cards_done) / total) : 0}%`;
  return el("div", { class: "progress" },
    el("p", { class: "progress-text" },
      state.card
        ? i18n("ui.play.card_of", { index: current, total })
        : i18n("ui.play.cards_done", { count: state.cards_done, total }),
      state.cards_parked ? el("span", { class: "muted" }, ` · ${i18n("ui.play.parked", { count: state.cards_parked })}`) : null),
    bar,
    state.deadline ? el("p", { class: "timer", id: "timer", role: "timer" },
      el("span", { class: "timer-label" }, i18n("ui.timer.left")), " ",
      el("span", { class: "timer-value" }, "")) : null);
}

function turnBanner(app) {
  const { state } = app;
  if (!state.reader_id) {
    return el("p", { class: "turn" }, i18n("ui.play.no_reader"));
  }
  const you = app.you && state.reader_id === app.you.id;
  const name = playerName(state, state.reader_id);
  let text;
  if (state.card) text = you ? i18n("ui.play.you_read") : i18n("ui.play.reader_reads", { name });
  else text = you ? i18n("ui.play.your_turn") : i18n("ui.play.reader_draws", { name });
  return el("p", { class: `turn${you ? " is-you" : ""}` }, text);
}

function drawPanel(app) {
  const { state, config } = app;
  const left = state.cards_left || 0;
  if (left === 0) {
    return el("section", { class: "panel draw-panel" },
      heading(2, i18n("ui.play.all_done")),
      isFacilitator(app)
        ? el("p", {}, i18n("ui.play.all_done_facilitator"))
        : el("p", { class: "muted" }, i18n("ui.play.all_done_wait")));
  }
  if (!canLead(app)) {
    return el("section", { class: "panel draw-panel is-waiting" },
      heading(2, i18n("ui.play.waiting_draw", { name: playerName(state, state.reader_id) })),
      el("p", { class: "muted" }, i18n("ui.play.cards_left", { count: left })));
  }
  const themes = (config.deck.themes || []).filter((t) => (state.themes_left || {})[t.id] > 0);
  const nodes = [heading(2, isFacilitator(app) && app.you.id !== state.reader_id
    ? i18n("ui.play.draw_for", { name: playerName(state, state.reader_id) })
    : i18n("ui.play.draw_heading")),
  el("p", { class: "muted" }, i18n("ui.play.cards_left", { count: left }))];
  // the facilitator draws from the action bar; the reader from here
  if (!isFacilitator(app)) {
    nodes.push(actionButton(app, i18n("ui.play.draw"), "draw", {}, { cls: "btn btn-primary btn-large", key: "draw" }));
  }
  if ((config.deck.themes || []).length > 1 && themes.length > 1) {
    nodes.push(el("p", { class: "label", id: "theme-choice" }, i18n("ui.play.or_theme")));
    nodes.push(el("div", { class: "theme-buttons", role: "group", "aria-labelledby": "theme-choice" },
      themes.map((t) => {
        const b = actionButton(app, [el("span", {}, t.title), el("span", { class: "count" }, i18n("ui.play.theme_count", { count: state.themes_left[t.id] }))],
          "draw", { theme: t.id }, { cls: "btn btn-theme", key: `draw-${t.id}` });
        b.style.setProperty("--theme", t.color);
        b.style.setProperty("--theme-ink", inkFor(t.color));
        return b;
      })));
  }
  const parked = state.parked_cards || [];
  if (parked.length) {
    // cards set aside: take one back now, or it returns by itself after two more cards
    nodes.push(el("div", { class: "parked-list" },
      el("p", { class: "label", id: "parked-heading" }, i18n("ui.parked.heading", { count: parked.length })),
      el("p", { class: "hint" }, i18n("ui.parked.hint", { count: parked.length })),
      el("ul", { "aria-labelledby": "parked-heading" }, parked.map((p) => el("li", {},
        actionButton(app, i18n("ui.parked.take", { title: p.title }), "draw", { card_id: p.card_id },
          { cls: "btn btn-secondary btn-parked", key: `draw-parked-${p.card_id}` }))))));
  }
  return el("section", { class: "panel draw-panel" }, nodes);
}

function cardTip(app) {
  const { state } = app;
  if (state.card_tip) return state.card_tip; // sent only to the facilitator and the reader
  const tip = state.card && state.card.facilitator_tip;
  return tip && (isFacilitator(app) || canLead(app)) ? tip : null;
}

function cardView(app) {
  const { state } = app;
  const card = state.card;
  const t = theme(app, card.theme);
  const head = el("header", { class: "card-theme" }, el("span", {}, t.title));
  head.style.backgroundColor = t.color;
  head.style.color = inkFor(t.color);
  const tip = cardTip(app);
  const reader = role(app) === "player" && state.reader_id === app.you.id;
  const article = el("article", { class: "game-card", "aria-labelledby": "card-title" },
    head,
    el("div", { class: "card-body" },
      el("h2", { id: "card-title", tabindex: "-1" }, card.title),
      el("p", { class: "situation" }, card.situation),
      reader ? readAloudButton(app) : null,
      tip ? el("p", { class: "tip" }, el("strong", {}, `${i18n("ui.card.tip")} `), tip) : null,
      cardFrame(app),
      el("ol", { class: "questions" }, card.questions.map((q, i) => questionView(app, q, i))),
      isFacilitator(app) ? null : leadActions(app)));
  article.style.setProperty("--theme", t.color);
  const notesAside = isFacilitator(app) && state.step === "revealed";
  return el("div", { class: "card-area" }, article, notesAside ? null : notesView(app));
}

function questionInfo(state, q) {
  return (state.questions || []).find((x) => x.id === q.id) || { answered: 0, answered_by: [] };
}

function questionView(app, q, index) {
  const { state } = app;
  const info = questionInfo(state, q);
  const revealed = state.step === "revealed";
  const total = seated(state).length;
  const qid = `q-${q.id}`;
  const parts = [
    el("p", { class: "q-text", id: `${qid}-text` }, el("span", { class: "q-num" }, `${index + 1}. `), q.text),
  ];
  if (q.criterion) {
    parts.push(el("p", { class: "q-criterion" }, i18n("ui.card.criterion", { criterion: i18n(`criterion.${q.criterion}.label`) })));
  }
  if (!revealed) {
    if (role(app) === "player") parts.push(q.kind === "yes_no" ? voteButtons(app, q, qid) : openField(app, q, qid));
    parts.push(el("p", { class: "answered-count" }, i18n("ui.card.answered", { count: info.answered, total })));
  } else if (q.kind === "yes_no") {
    parts.push(resultView(app, q, info, qid));
  } else {
    parts.push(openResults(app, q, info));
  }
  return el("li", { class: `question kind-${q.kind}${revealed && info.divergent ? " is-divergent" : ""}` }, parts);
}

function voteButtons(app, q, qid) {
  const mine = (app.state.my_answers || {})[q.id];
  return el("div", { class: "vote-buttons", role: "group", "aria-labelledby": `${qid}-text` },
    VOTES.map((v) => button([el("span", { class: "vote-icon", "aria-hidden": "true" }, VOTE_ICONS[v]), el("span", {}, i18n(`answer.${v}`))],
      () => app.setAnswer(q.id, v), { cls: `btn btn-vote vote-${v}`, key: `vote-${q.id}-${v}`, pressed: mine === v })),
    mine ? el("span", { class: "visually-hidden" }, i18n("ui.card.your_answer", { answer: i18n(`answer.${mine}`) })) : null);
}

const timers = {};

function openField(app, q, qid) {
  const key = `answer:${app.state.card.id}:${q.id}`;
  const mine = (app.state.my_answers || {})[q.id] || "";
  const value = Object.prototype.hasOwnProperty.call(app.drafts, key) ? app.drafts[key] : mine;
  const send = () => {
    clearTimeout(timers[key]);
    const text = (app.drafts[key] ?? "").trim();
    const current = (app.state.my_answers || {})[q.id] || "";
    if (text === current || app.sent[key] === text) return;
    app.sent[key] = text;
    app.state.my_answers = { ...(app.state.my_answers || {}), [q.id]: text };
    if (!text) delete app.state.my_answers[q.id];
    app.act("answer", { card_id: app.state.card.id, question_id: q.id, value: text });
  };
  const area = el("textarea", {
    id: `${qid}-answer`, class: "open-answer", rows: "3", maxlength: "2000",
    "data-focus-key": key, "aria-labelledby": `${qid}-text`, "aria-describedby": `${qid}-hint`,
    placeholder: i18n("ui.card.open_placeholder"),
  });
  area.value = value;
  area.addEventListener("input", () => {
    app.drafts[key] = area.value;
    clearTimeout(timers[key]);
    timers[key] = setTimeout(send, OPEN_DEBOUNCE_MS);
  });
  area.addEventListener("change", send);
  area.addEventListener("blur", send);
  return el("div", { class: "open-field" }, area,
    el("p", { class: "hint", id: `${qid}-hint` }, i18n("ui.card.open_hint")));
}

// The group's answer, by the server's rule when it gives one (quorum, "to clarify"), and
// never "divided" on no vote at all.
function groupOf(info) {
  const tally = info.tally || { yes: 0, no: 0, unsure: 0 };
  const voted = typeof info.voted === "number" ? info.voted : tally.yes + tally.no + tally.unsure;
  let group = info.group_answer || "divided";
  if (voted === 0 && !info.consensus) group = "insufficient";
  return { group, voted, tally };
}

function groupLabel(group) {
  if (group === "divided" || group === "to_clarify" || group === "insufficient") return i18n(`ui.group.${group}`);
  return i18n(`answer.${group}`);
}

function turnoutText(app, info, voted) {
  const present = typeof info.present === "number" ? info.present : seated(app.state).length;
  return i18n("ui.result.turnout", { count: voted, present: Math.max(present, voted) });
}

function voterNames(state, votes) {
  // {player_id: value} (named sessions) — or, from older servers, {name: value}
  return Object.entries(votes).map(([key, v]) => {
    const p = state.players.find((x) => x.id === key);
    return i18n("ui.result.vote", { name: p ? p.name : key, answer: i18n(`answer.${v}`) });
  }).join(" · ");
}

function resultView(app, q, info, qid, { compact = false } = {}) {
  const { group, voted, tally } = groupOf(info);
  const total = tally.yes + tally.no + tally.unsure;
  const rows = VOTES.map((v) => {
    const fill = el("span", { class: `bar-fill bar-${v}` });
    fill.style.width = `${total ? Math.round((100 * tally[v]) / total) : 0}%`;
    return el("div", { class: "tally-row" },
      el("span", { class: "tally-label" }, i18n(`answer.${v}`)),
      el("span", { class: "bar", "aria-hidden": "true" }, fill),
      el("span", { class: "tally-count" }, String(tally[v])));
  });
  const risk = q.risk_answer && group === q.risk_answer;
  const how = info.consensus ? i18n("ui.result.by_consensus")
    : group === "yes" || group === "no" ? i18n("ui.result.by_majority") : null;
  const aria = i18n("ui.result.tally_aria", { yes: tally.yes, no: tally.no, unsure: tally.unsure });
  const nodes = compact ? [
    // one stacked bar and its legend: a whole card's results on one shared screen
    el("div", { class: "stacked", role: "img", "aria-label": aria }, VOTES.map((v) => {
      const part = el("span", { class: `bar-fill bar-${v}` });
      part.style.width = `${total ? (100 * tally[v]) / total : 0}%`;
      return part;
    })),
    el("p", { class: "stacked-legend", "aria-hidden": "true" }, VOTES.map((v) => el("span", { class: `legend-${v}` },
      el("span", { class: `swatch bar-${v}` }), ` ${i18n(`answer.${v}`)} `, el("strong", {}, String(tally[v]))))),
    el("p", { class: "turnout" }, turnoutText(app, info, voted)),
  ] : [
    el("div", { class: "tally", role: "img", "aria-label": aria }, rows),
    el("p", { class: "turnout" }, turnoutText(app, info, voted)),
  ];
  nodes.push(
    el("p", { class: `group-answer answer-${group}${info.consensus ? " is-consensus" : ""}` },
      el("span", { class: "label" }, `${compact ? i18n("ui.result.group_short") : i18n("ui.result.group_answer")} `),
      el("strong", {}, groupLabel(group)),
      how ? [" ", el("span", { class: info.consensus ? "tag tag-consensus" : "muted" }, how)] : null));
  if (group === "insufficient" && !compact) nodes.push(el("p", { class: "muted small" }, i18n("ui.result.insufficient_hint")));
  if (group === "to_clarify" && !compact) nodes.push(el("p", { class: "muted small" }, i18n("ui.result.to_clarify_hint")));
  if (compact && (info.divergent || risk)) {
    // on the shared screen: short tags on one line, so that a whole card fits
    nodes.push(el("p", { class: "flags-short" },
      info.divergent ? el("span", { class: "flag flag-divergent" }, el("span", { "aria-hidden": "true" }, "⚡ "), i18n("ui.result.divergent_short")) : null,
      risk ? el("span", { class: "flag flag-risk" }, el("span", { "aria-hidden": "true" }, "⚠ "), i18n("ui.result.risk_short")) : null));
  } else if (info.divergent) {
    nodes.push(el("p", { class: "flag flag-divergent" }, el("span", { "aria-hidden": "true" }, "⚡ "), i18n("ui.result.divergent")));
  }
  if (risk && !compact) {
    nodes.push(el("p", { class: "flag flag-risk" }, el("span", { "aria-hidden": "true" }, "⚠ "),
      i18n("ui.result.risk", { criterion: i18n(`criterion.${q.criterion}.label`) })));
  }
  if (!compact && info.votes && Object.keys(info.votes).length) {
    nodes.push(el("p", { class: "votes small" }, voterNames(app.state, info.votes)));
  }
  const mine = (app.state.my_answers || {})[q.id];
  if (!compact && mine) nodes.push(el("p", { class: "muted small" }, i18n("ui.card.your_answer", { answer: i18n(`answer.${mine}`) })));
  if (!compact && canLead(app)) {
    nodes.push(el("div", { class: "consensus", role: "group", "aria-labelledby": `${qid}-consensus` },
      el("span", { class: "label", id: `${qid}-consensus` }, i18n("ui.result.consensus_label")),
      VOTES.map((v) => button(i18n(`answer.${v}`), () => app.act("consensus", { question_id: q.id, value: v }), {
        cls: "btn btn-small btn-consensus", key: `consensus-${q.id}-${v}`, pressed: info.consensus === v,
      })),
      info.consensus ? button(i18n("ui.result.consensus_clear"), () => app.act("consensus", { question_id: q.id, value: null }), {
        cls: "btn btn-small btn-link", key: `consensus-${q.id}-clear`,
      }) : null));
  }
  return el("div", { class: "result" }, nodes);
}

function openResults(app, q, info, { limit = 0 } = {}) {
  const all = info.open_answers || [];
  const answers = limit ? all.slice(0, limit) : all;
  return el("div", { class: "result" },
    answers.length
      ? el("ul", { class: "open-answers" }, answers.map((a) => el("li", {},
        el("span", {}, a.text), a.author ? el("span", { class: "muted small" }, ` — ${a.author}`) : null)),
        all.length > answers.length ? el("li", { class: "muted" }, i18n("ui.result.more_answers", { count: all.length - answers.length })) : null)
      : el("p", { class: "muted" }, i18n("ui.result.no_open_answers")));
}

// The reader's own buttons (the facilitator has the action bar).
function leadActions(app) {
  if (!canLead(app)) return null;
  const { state } = app;
  const total = seated(state).length;
  if (state.step === "answering") {
    const counts = (state.questions || []).map((q) => q.answered);
    const least = counts.length ? Math.min(...counts) : 0;
    return el("div", { class: "lead-actions" },
      actionButton(app, i18n("ui.play.reveal"), "reveal", {}, { cls: "btn btn-primary btn-large", key: "reveal", describedby: "reveal-hint" }),
      el("p", { class: "hint", id: "reveal-hint" }, least >= total && total > 0 ? i18n("ui.play.reveal_all_in") : i18n("ui.play.reveal_hint")));
  }
  return el("div", { class: "lead-actions" },
    actionButton(app, state.cards_left ? i18n("ui.play.next") : i18n("ui.play.next_last"), "next", {}, { cls: "btn btn-primary btn-large", key: "next" }));
}

function notesView(app) {
  const { state } = app;
  const notes = state.notes || [];
  const key = "note";
  const form = app.presenter ? null : el("form", {
    class: "note-form",
    onsubmit: (event) => {
      event.preventDefault();
      const text = (app.drafts[key] || "").trim();
      if (!text) return;
      app.act("note", { text });
      app.drafts[key] = "";
      app.rerender();
    },
  },
  el("label", { for: "note-text" }, i18n("ui.notes.label")),
  (() => {
    const area = el("textarea", { id: "note-text", rows: "2", maxlength: "2000", "data-focus-key": "note-text", placeholder: i18n("ui.notes.placeholder") });
    area.value = app.drafts[key] || "";
    area.addEventListener("input", () => { app.drafts[key] = area.value; });
    return area;
  })(),
  el("button", { type: "submit", class: "btn btn-secondary", "data-focus-key": "note-add" }, i18n("ui.notes.add")));
  return el("section", { class: "panel notes", "aria-labelledby": "notes-heading" },
    el("h2", { id: "notes-heading" }, i18n("ui.notes.heading", { count: notes.length })),
    notes.length
      ? el("ul", { class: "note-list" }, notes.map((n) => el("li", {}, el("span", { class: "note-text" }, n.text),
        n.author ? el("span", { class: "muted small" }, ` — ${n.author}`) : null)))
      : el("p", { class: "muted" }, i18n("ui.notes.none")),
    form);
}

// A control that asks first: a line says what it does, then confirm or cancel.
function confirmable(app, { key, label, explain, confirm, type, danger = false }) {
  if (app.ui.confirm === key) {
    return el("div", { class: "confirm", role: "group", "aria-labelledby": `confirm-${key}` },
      el("p", { id: `confirm-${key}` }, explain),
      button(confirm, () => { app.ui.confirm = null; app.act(type); },
        { cls: `btn ${danger ? "btn-danger" : "btn-primary"}`, key: `${key}-yes`, disabled: app.pending(type) }),
      button(i18n("ui.control.cancel"), () => { app.ui.confirm = null; app.rerender(); }, { cls: "btn btn-secondary", key: `${key}-no` }));
  }
  return button(label, () => { app.ui.confirm = key; app.rerender(); },
    { cls: "btn btn-secondary", key, disabled: app.pending(type), title: explain });
}

function facilitatorControls(app) {
  const { state } = app;
  const hasCard = Boolean(state.card);
  return el("section", { class: "panel controls", "aria-labelledby": "controls-heading" },
    el("h2", { id: "controls-heading" }, i18n("ui.control.heading")),
    el("div", { class: "control-buttons" },
      hasCard ? confirmable(app, { key: "skip", type: "skip", label: i18n("ui.control.skip"), explain: i18n("ui.control.skip_explain"), confirm: i18n("ui.control.skip_yes") }) : null,
      hasCard ? confirmable(app, { key: "park", type: "park", label: i18n("ui.control.park"), explain: i18n("ui.control.park_explain"), confirm: i18n("ui.control.park_yes") }) : null,
      actionButton(app, i18n("ui.control.pass_turn"), "pass_turn", {}, { cls: "btn btn-secondary", key: "pass", title: i18n("ui.control.pass_explain") }),
      confirmable(app, { key: "finish", type: "finish", label: i18n("ui.control.finish"), explain: i18n("ui.control.finish_confirm"), confirm: i18n("ui.control.finish_yes"), danger: true })),
    el("p", { class: "hint" }, i18n("ui.control.hint")),
    state.cards_parked ? el("p", { class: "hint" }, i18n("ui.control.parked_info", { count: state.cards_parked })) : null,
    lockControl(app),
    facilitatorLink(app),
    el("p", {}, el("a", { href: `/r/${app.config.code}/presenter`, target: "_blank", rel: "noopener" }, i18n("ui.lobby.open_presenter"))));
}

function history(app) {
  const items = app.state.history || [];
  if (!items.length) return null;
  return el("section", { class: "panel history", "aria-labelledby": "history-heading" },
    el("h2", { id: "history-heading" }, i18n("ui.history.heading")),
    el("ol", {}, items.map((h) => el("li", {}, el("span", {}, h.title), " ",
      el("span", { class: "tag" }, i18n(`ui.history.${h.outcome}`))))));
}

// --- read aloud (speech synthesis of this device: no network voice) ---------------------------

function localVoice(language) {
  const voices = window.speechSynthesis.getVoices().filter((v) => v.localService);
  const short = language === "en" ? "en" : "fr";
  return voices.find((v) => v.lang.toLowerCase() === (short === "fr" ? "fr-fr" : "en-gb"))
    || voices.find((v) => v.lang.toLowerCase().startsWith(short)) || null;
}

function readAloudButton(app) {
  if (!("speechSynthesis" in window)) return null;
  const card = app.state.card;
  return button([el("span", { "aria-hidden": "true" }, "▶ "), i18n("ui.card.read_aloud")], () => {
    const synth = window.speechSynthesis;
    if (synth.speaking) {
      synth.cancel();
      return;
    }
    const language = app.state.language || app.config.deck.language;
    const voice = localVoice(language);
    if (!voice) {
      app.toast(i18n("ui.card.no_voice"));
      return;
    }
    const texts = [card.title, card.situation, ...card.questions.map((q, i) => `${i + 1}. ${q.text}`)];
    const utterance = new SpeechSynthesisUtterance(texts.join(". \n"));
    utterance.voice = voice;
    utterance.lang = voice.lang;
    utterance.rate = 0.95;
    synth.speak(utterance);
  }, { cls: "btn btn-secondary btn-small read-aloud", key: "read-aloud" });
}

// --- the presenter view ------------------------------------------------------------------------

function presenterPlaying(app) {
  const { state } = app;
  const card = state.card;
  const top = el("div", { class: "pres-top" }, progress(app), turnBanner(app));
  if (!card) {
    const left = state.cards_left || 0;
    return el("div", { class: "pres-play" }, top,
      el("section", { class: "pres-waiting" },
        heading(1, left ? i18n("ui.play.waiting_draw", { name: playerName(state, state.reader_id) }) : i18n("ui.play.all_done")),
        el("p", { class: "pres-big muted" }, i18n("ui.play.cards_left", { count: left })),
        sessionHeader(app, { big: true })));
  }
  const t = theme(app, card.theme);
  const revealed = state.step === "revealed";
  const head = el("header", { class: "card-theme" }, el("span", {}, t.title));
  head.style.backgroundColor = t.color;
  head.style.color = inkFor(t.color);
  const dense = revealed && card.questions.length > 4;
  const story = el("div", { class: `pres-story${revealed ? " is-folded" : ""}${dense ? " is-dense" : ""}` },
    el("h1", { id: "card-title", tabindex: "-1" }, card.title),
    el("p", { class: "situation" }, card.situation),
    revealed ? null : cardFrame(app));
  if (!revealed) {
    const { done, present } = turnout(state);
    const questions = el("ol", { class: `pres-questions${card.questions.length > 4 ? " is-dense" : ""}` }, card.questions.map((q, i) => el("li", {},
      el("span", { class: "q-num" }, `${i + 1}. `), q.text)));
    return el("div", { class: "pres-play" }, top,
      el("div", { class: `pres-card-grid${card.questions.length > 4 ? " is-dense" : ""}` },
        el("article", { class: "game-card pres-card", "aria-labelledby": "card-title" }, head,
          el("div", { class: "card-body" }, story, questions)),
        el("aside", { class: "pres-turnout", "aria-live": "polite" },
          el("p", { class: "pres-turnout-figure" }, el("span", { class: "big" }, String(done)), el("span", {}, ` / ${present}`)),
          el("p", { class: "pres-turnout-text" }, i18n("ui.presenter.answered", { count: done, present })),
          el("div", { class: "pres-turnout-bar", "aria-hidden": "true" },
            (() => { const s = el("span"); s.style.width = `${present ? Math.round((100 * done) / present) : 0}%`; return s; })()),
          readAloudButton(app))));
  }
  const many = card.questions.length;
  const results = el("ol", { class: `pres-results count-${Math.min(many, 7)}` }, card.questions.map((q, i) => {
    const info = questionInfo(state, q);
    return el("li", { class: `pres-result${info.divergent ? " is-divergent" : ""}` },
      el("p", { class: "q-text" }, el("span", { class: "q-num" }, `${i + 1}. `), q.text),
      q.kind === "yes_no" ? resultView(app, q, info, `q-${q.id}`, { compact: true }) : openResults(app, q, info, { limit: many > 4 ? 2 : 4 }));
  }));
  return el("div", { class: "pres-play is-revealed" }, top,
    el("article", { class: "game-card pres-card", "aria-labelledby": "card-title" }, head,
      el("div", { class: "card-body" }, story, results)));
}

// --- synthesis -------------------------------------------------------------------------------

function synthesis(app) {
  const { state, config } = app;
  const s = state.synthesis || { criteria: [], cards_played: 0, cards_skipped: 0 };
  if (app.presenter) return presenterSynthesis(app, s);
  const groups = [["engagement", []], ["bien_etre", []]];
  for (const c of s.criteria) {
    const group = groups.find(([d]) => d === c.dimension);
    (group ? group[1] : groups[0][1]).push(c);
  }
  return el("div", { class: "synthesis" },
    el("section", { class: "panel synthesis-head" },
      heading(1, i18n("ui.synthesis.heading")),
      sessionHeader(app),
      el("p", { class: "lead" }, playedText(s)),
      // the facilitator has it in the action bar
      isFacilitator(app) ? null : el("p", {}, el("a", { class: "btn btn-primary btn-large", href: config.report_url }, i18n("ui.synthesis.report")))),
    groups.map(([dimension, criteria]) => el("section", { class: "dimension", "aria-labelledby": `dim-${dimension}` },
      el("h2", { id: `dim-${dimension}` }, i18n(`dimension.${dimension}`)),
      el("ul", { class: "criteria" }, criteria.map((c) => criterionView(c))))),
    isFacilitator(app) ? eraseSection(app) : null);
}

function playedText(s) {
  return `${i18n("ui.synthesis.played", { count: s.cards_played })} ${i18n("ui.synthesis.skipped", { count: s.cards_skipped })}`;
}

function levelLabel(level) {
  return i18n(`ui.level.${level}`);
}

function presenterSynthesis(app, s) {
  const dims = [["engagement", []], ["bien_etre", []]];
  for (const c of s.criteria) {
    const d = dims.find(([x]) => x === c.dimension);
    (d ? d[1] : dims[0][1]).push(c);
  }
  return el("div", { class: "pres-synthesis" },
    el("header", { class: "pres-synth-head" },
      heading(1, i18n("ui.synthesis.heading")),
      el("p", { class: "lead" }, playedText(s))),
    el("figure", { class: "synth-chart" },
      dims.map(([dimension, criteria]) => el("section", { class: "chart-dim", "aria-labelledby": `chart-${dimension}` },
        el("h2", { id: `chart-${dimension}` }, i18n(`dimension.${dimension}`)),
        el("ul", {}, criteria.map((c) => {
          const fill = el("span", { class: "chart-fill" });
          fill.style.width = c.answered ? `${Math.max(2, Math.round((100 * c.risks) / c.answered))}%` : "0";
          fill.style.background = LEVEL_COLORS[c.level] || LEVEL_COLORS.not_assessed;
          return el("li", { class: `chart-row level-${c.level}` },
            el("span", { class: "chart-label" }, i18n(`criterion.${c.criterion}.label`)),
            el("span", { class: "chart-bar", "aria-hidden": "true" }, fill),
            el("span", { class: "chart-level" },
              el("span", { class: `level-badge level-${c.level}` },
                el("span", { class: "level-icon", "aria-hidden": "true" }, LEVEL_ICONS[c.level] || ""), levelLabel(c.level)),
              c.indicative ? el("span", { class: "tag tag-indicative" }, i18n("ui.synthesis.indicative")) : null,
              el("span", { class: "chart-detail" }, c.answered ? i18n("ui.synthesis.risks_of", { count: c.risks, answered: c.answered }) : i18n("ui.synthesis.none"))));
        })))),
      el("figcaption", { class: "muted" }, i18n("ui.synthesis.chart_caption"))));
}

function eraseSection(app) {
  const confirming = app.ui.confirmErase;
  return el("section", { class: "panel erase", "aria-labelledby": "erase-heading" },
    el("h2", { id: "erase-heading" }, i18n("ui.erase.heading")),
    el("p", { class: "small" }, i18n("ui.erase.explain")),
    app.ui.eraseError ? el("p", { class: "error", role: "alert" }, app.ui.eraseError) : null,
    confirming
      ? el("div", { class: "confirm", role: "group", "aria-labelledby": "confirm-erase" },
        el("p", { id: "confirm-erase" }, i18n("ui.erase.confirm")),
        button(i18n("ui.erase.yes"), () => app.erase(), { cls: "btn btn-danger", key: "erase-yes" }),
        button(i18n("ui.control.cancel"), () => { app.ui.confirmErase = false; app.rerender(); }, { cls: "btn btn-secondary", key: "erase-no" }))
      : button(i18n("ui.erase.button"), () => { app.ui.confirmErase = true; app.rerender(); }, { cls: "btn btn-secondary", key: "erase" }));
}

function questionRefs(list, icon, cls) {
  return list.length ? el("ul", { class: `risk-list small ${cls}` }, list.map((q) => el("li", {}, el("span", { "aria-hidden": "true" }, `${icon} `), q.text))) : null;
}

function criterionView(c) {
  const risks = c.risk_questions || [];
  const divergent = c.divergent_questions || [];
  const clarify = c.to_clarify_questions || [];
  return el("li", { class: `criterion level-${c.level}` },
    el("div", { class: "criterion-head" },
      el("h3", {}, i18n(`criterion.${c.criterion}.label`)),
      el("span", { class: `level-badge level-${c.level}` },
        el("span", { class: "level-icon", "aria-hidden": "true" }, LEVEL_ICONS[c.level] || ""),
        el("span", {}, levelLabel(c.level))),
      c.indicative ? el("span", { class: "tag tag-indicative", title: i18n("ui.synthesis.indicative_hint") }, i18n("ui.synthesis.indicative")) : null),
    el("p", { class: "muted small" }, i18n(`criterion.${c.criterion}.description`)),
    el("p", { class: "small" }, `${i18n("ui.synthesis.answered", { count: c.answered })}, ${i18n("ui.synthesis.risks", { count: c.risks })}`),
    questionRefs(risks, "⚠", "is-risk"),
    clarify.length ? el("p", { class: "small flag flag-clarify" }, el("span", { "aria-hidden": "true" }, "? "), i18n("ui.synthesis.to_clarify", { count: clarify.length })) : null,
    questionRefs(clarify, "?", "is-clarify"),
    c.insufficient ? el("p", { class: "small muted" }, i18n("ui.synthesis.insufficient", { count: c.insufficient })) : null,
    divergent.length ? el("p", { class: "small flag flag-divergent" }, el("span", { "aria-hidden": "true" }, "⚡ "), i18n("ui.synthesis.divergent", { count: divergent.length })) : null);
}
