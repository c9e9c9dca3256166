// What the game page shows, as a pure function of the app (state, who you are, drafts).
// Everything from the server or other players is set as text, never as HTML.
import { i18n } from "./i18n.js";
import { el } from "./dom.js";

const VOTES = ["yes", "no", "unsure"];
const VOTE_ICONS = { yes: "✓", no: "✗", unsure: "?" };
const LEVEL_ICONS = { ok: "✓", watch: "!", alert: "!!", not_assessed: "–" };
const OPEN_DEBOUNCE_MS = 900;

export function renderView(app) {
  const { state } = app;
  if (state.phase === "lobby") return lobby(app);
  if (state.phase === "synthesis") return synthesis(app);
  return playing(app);
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

function theme(app, id) {
  return (app.config.deck.themes || []).find((t) => t.id === id) || { id, title: id, color: "#2a6f97" };
}

// Text on a theme colour must stay readable: pick dark or white ink by contrast.
function inkFor(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
  if (!m) return "#fff";
  const n = parseInt(m[1], 16);
  const channel = (v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const lum = 0.2126 * channel(n >> 16) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
  return (1.05 / (lum + 0.05)) >= 4.5 ? "#fff" : "#14181f";
}

function button(label, onClick, { cls = "btn", key = null, pressed = null, disabled = false, describedby = null, aria = null } = {}) {
  return el("button", {
    type: "button",
    class: cls,
    onclick: onClick,
    "data-focus-key": key,
    "aria-pressed": pressed === null ? null : String(pressed),
    "aria-describedby": describedby,
    "aria-label": aria,
    disabled,
  }, label);
}

function heading(level, text, props = {}) {
  return el(`h${level}`, { id: "view-heading", tabindex: "-1", ...props }, text);
}

function playersList(app, { withAnswers = false } = {}) {
  const { state } = app;
  const seated = state.players.filter((p) => p.role === "player");
  const questions = state.questions || [];
  const items = seated.map((p) => {
    const done = questions.filter((q) => (q.answered_by || []).includes(p.id)).length;
    const isReader = state.phase === "playing" && p.id === state.reader_id;
    const isYou = app.you && p.id === app.you.id;
    return el("li", { class: `player${p.connected ? "" : " is-away"}${isReader ? " is-reader" : ""}` },
      el("span", { class: "avatar", "aria-hidden": "true" }, initials(p.name)),
      el("span", { class: "player-name" }, p.name),
      isYou ? el("span", { class: "tag" }, i18n("ui.players.you")) : null,
      isReader ? el("span", { class: "tag tag-reader" }, i18n("ui.players.reader")) : null,
      p.connected ? null : el("span", { class: "tag tag-away" }, i18n("ui.players.away")),
      withAnswers && state.card && state.step === "answering"
        ? el("span", { class: `answered-mark${done === questions.length ? " is-done" : ""}` },
          done === questions.length ? `✓ ${i18n("ui.players.answered")}` : i18n("ui.players.answered_count", { done, total: questions.length }))
        : null);
  });
  const connected = seated.filter((p) => p.connected).length;
  return el("section", { class: "panel players", "aria-labelledby": "players-heading" },
    el("h2", { id: "players-heading" }, i18n("ui.players.heading", { count: seated.length })),
    seated.length
      ? el("ul", { class: "player-list" }, items)
      : el("p", { class: "muted" }, i18n("ui.players.none")),
    seated.length && connected < seated.length
      ? el("p", { class: "muted small" }, i18n("ui.players.connected", { count: connected }))
      : null);
}

function initials(name) {
  const parts = String(name).trim().split(/\s+/).filter(Boolean);
  const letters = parts.slice(0, 2).map((w) => Array.from(w)[0] || "").join("");
  return letters.toUpperCase() || "?";
}

// --- lobby -----------------------------------------------------------------------------------

function lobby(app) {
  const { state, config } = app;
  const r = role(app);
  const players = state.players.filter((p) => p.role === "player");
  if (r === "player") {
    return el("div", { class: "lobby" },
      el("section", { class: "panel welcome" },
        heading(1, i18n("ui.lobby.welcome", { name: app.you.name })),
        el("p", { class: "lead" }, i18n("ui.lobby.waiting")),
        el("p", { class: "muted" }, i18n("ui.lobby.deck", { deck: config.deck.title, count: state.cards_total }))),
      playersList(app));
  }
  const share = el("section", { class: "panel share", "aria-labelledby": "view-heading" },
    heading(1, r === "presenter" ? i18n("ui.lobby.presenter_heading") : i18n("ui.lobby.ready")),
    el("p", { class: "lead" }, i18n("ui.lobby.share")),
    el("div", { class: "share-grid" },
      el("div", { class: "share-code" },
        el("p", { class: "label", id: "code-label" }, i18n("ui.lobby.code")),
        el("p", { class: "big-code", "aria-labelledby": "code-label" }, spaced(config.code)),
        el("p", { class: "label" }, i18n("ui.lobby.link")),
        el("p", { class: "join-link" },
          el("a", { href: config.join_url, id: "join-link" }, config.join_url)),
        r === "facilitator" ? copyButton(app) : null),
      el("figure", { class: "qr" },
        el("img", { src: config.qr_url, alt: i18n("ui.lobby.qr_alt", { url: config.join_url }), width: "220", height: "220" }),
        el("figcaption", { class: "muted small" }, i18n("ui.lobby.qr_caption")))));
  const controls = r === "facilitator"
    ? el("section", { class: "panel lobby-controls" },
      el("p", { class: "muted" }, i18n("ui.lobby.deck", { deck: config.deck.title, count: state.cards_total })),
      settingsSummary(state),
      button(i18n("ui.lobby.start"), () => app.act("start"), {
        cls: "btn btn-primary btn-large", key: "start", disabled: players.length === 0,
        describedby: players.length ? null : "start-hint",
      }),
      players.length ? null : el("p", { class: "hint", id: "start-hint" }, i18n("ui.lobby.start_hint")),
      el("p", {}, el("a", { href: `/r/${config.code}/presenter`, target: "_blank", rel: "noopener" },
        i18n("ui.lobby.open_presenter"))),
      facilitatorLink(app))
    : null;
  return el("div", { class: "lobby lobby-host" }, share, el("div", { class: "lobby-side" }, playersList(app), controls));
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

function spaced(code) {
  return `${code.slice(0, 3)} ${code.slice(3)}`;
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

// --- playing ---------------------------------------------------------------------------------

function playing(app) {
  const { state } = app;
  const main = el("div", { class: "play-col" }, progress(app), turnBanner(app),
    state.card ? cardView(app) : drawPanel(app));
  const side = el("aside", { class: "side-col", "aria-label": i18n("ui.side.label") },
    isFacilitator(app) ? facilitatorControls(app) : null,
    playersList(app, { withAnswers: true }),
    history(app));
  return el("div", { class: `game-layout${app.presenter ? " is-presenter" : ""}` }, main, app.presenter ? playersList(app, { withAnswers: true }) : side);
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
        : i18n("ui.play.cards_done", { done: state.cards_done, total }),
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
        ? [el("p", {}, i18n("ui.play.all_done_facilitator")),
          button(i18n("ui.control.finish"), () => app.act("finish"), { cls: "btn btn-primary btn-large", key: "finish-now" })]
        : el("p", { class: "muted" }, i18n("ui.play.all_done_wait")));
  }
  if (!canLead(app)) {
    return el("section", { class: "panel draw-panel is-waiting" },
      heading(2, i18n("ui.play.waiting_draw", { name: playerName(state, state.reader_id) })),
      el("p", { class: "muted" }, i18n("ui.play.cards_left", { count: left })));
  }
  const themes = (config.deck.themes || []).filter((t) => (state.themes_left || {})[t.id] > 0);
  const drawAny = button(i18n("ui.play.draw"), () => app.act("draw"), { cls: "btn btn-primary btn-large", key: "draw" });
  const nodes = [heading(2, isFacilitator(app) && app.you.id !== state.reader_id
    ? i18n("ui.play.draw_for", { name: playerName(state, state.reader_id) })
    : i18n("ui.play.draw_heading")),
  el("p", { class: "muted" }, i18n("ui.play.cards_left", { count: left })), drawAny];
  if ((config.deck.themes || []).length > 1 && themes.length > 1) {
    nodes.push(el("p", { class: "label", id: "theme-choice" }, i18n("ui.play.or_theme")));
    nodes.push(el("div", { class: "theme-buttons", role: "group", "aria-labelledby": "theme-choice" },
      themes.map((t) => {
        const b = button([el("span", {}, t.title), el("span", { class: "count" }, i18n("ui.play.theme_count", { count: state.themes_left[t.id] }))],
          () => app.act("draw", { theme: t.id }), { cls: "btn btn-theme", key: `draw-${t.id}` });
        b.style.setProperty("--theme", t.color);
        b.style.setProperty("--theme-ink", inkFor(t.color));
        return b;
      })));
  }
  return el("section", { class: "panel draw-panel" }, nodes);
}

function cardView(app) {
  const { state } = app;
  const card = state.card;
  const t = theme(app, card.theme);
  const revealed = state.step === "revealed";
  const head = el("header", { class: "card-theme" }, el("span", {}, t.title));
  head.style.backgroundColor = t.color;
  head.style.color = inkFor(t.color);
  const showTip = card.facilitator_tip && (isFacilitator(app) || canLead(app));
  const article = el("article", { class: "game-card", "aria-labelledby": "card-title" },
    head,
    el("div", { class: "card-body" },
      el("h2", { id: "card-title", tabindex: "-1" }, card.title),
      el("p", { class: "situation" }, card.situation),
      showTip ? el("p", { class: "tip" }, el("strong", {}, `${i18n("ui.card.tip")} `), card.facilitator_tip) : null,
      el("ol", { class: "questions" }, card.questions.map((q, i) => questionView(app, q, i))),
      leadActions(app)));
  article.style.setProperty("--theme", t.color);
  return el("div", { class: "card-area" }, article, notesView(app));
}

function questionView(app, q, index) {
  const { state } = app;
  const info = (state.questions || []).find((x) => x.id === q.id) || { answered: 0, answered_by: [] };
  const revealed = state.step === "revealed";
  const seated = state.players.filter((p) => p.role === "player").length;
  const qid = `q-${q.id}`;
  const parts = [
    el("p", { class: "q-text", id: `${qid}-text` }, el("span", { class: "q-num" }, `${index + 1}. `), q.text),
  ];
  if (q.criterion) {
    parts.push(el("p", { class: "q-criterion" }, i18n("ui.card.criterion", { criterion: i18n(`criterion.${q.criterion}.label`) })));
  }
  if (!revealed) {
    if (role(app) === "player") parts.push(q.kind === "yes_no" ? voteButtons(app, q, qid) : openField(app, q, qid));
    parts.push(el("p", { class: "answered-count" },
      i18n("ui.card.answered", { count: info.answered, total: seated })));
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

function resultView(app, q, info, qid) {
  const tally = info.tally || { yes: 0, no: 0, unsure: 0 };
  const total = tally.yes + tally.no + tally.unsure;
  const rows = VOTES.map((v) => {
    const fill = el("span", { class: `bar-fill bar-${v}` });
    fill.style.width = `${total ? Math.round((100 * tally[v]) / total) : 0}%`;
    return el("div", { class: "tally-row" },
      el("span", { class: "tally-label" }, i18n(`answer.${v}`)),
      el("span", { class: "bar", "aria-hidden": "true" }, fill),
      el("span", { class: "tally-count" }, String(tally[v])));
  });
  const group = info.group_answer || "divided";
  const risk = q.risk_answer && group === q.risk_answer;
  const nodes = [
    el("div", { class: "tally", role: "img", "aria-label": i18n("ui.result.tally_aria", { yes: tally.yes, no: tally.no, unsure: tally.unsure }) }, rows),
    el("p", { class: `group-answer answer-${group}` },
      el("span", { class: "label" }, `${i18n("ui.result.group_answer")} `),
      el("strong", {}, i18n(`answer.${group}`)),
      " ",
      info.consensus || group !== "divided"
        ? el("span", { class: "muted" }, info.consensus ? i18n("ui.result.by_consensus") : i18n("ui.result.by_majority"))
        : null),
  ];
  if (info.divergent) {
    nodes.push(el("p", { class: "flag flag-divergent" }, el("span", { "aria-hidden": "true" }, "⚡ "), i18n("ui.result.divergent")));
  }
  if (risk) {
    nodes.push(el("p", { class: "flag flag-risk" }, el("span", { "aria-hidden": "true" }, "⚠ "),
      i18n("ui.result.risk", { criterion: i18n(`criterion.${q.criterion}.label`) })));
  }
  if (info.votes && Object.keys(info.votes).length) {
    nodes.push(el("p", { class: "votes small" }, Object.entries(info.votes)
      .map(([name, v]) => i18n("ui.result.vote", { name, answer: i18n(`answer.${v}`) })).join(" · ")));
  }
  const mine = (app.state.my_answers || {})[q.id];
  if (mine) nodes.push(el("p", { class: "muted small" }, i18n("ui.card.your_answer", { answer: i18n(`answer.${mine}`) })));
  if (canLead(app)) {
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

function openResults(app, q, info) {
  const answers = info.open_answers || [];
  return el("div", { class: "result" },
    answers.length
      ? el("ul", { class: "open-answers" }, answers.map((a) => el("li", {},
        el("span", {}, a.text), a.author ? el("span", { class: "muted small" }, ` — ${a.author}`) : null)))
      : el("p", { class: "muted" }, i18n("ui.result.no_open_answers")));
}

function leadActions(app) {
  if (!canLead(app)) return null;
  const { state } = app;
  const seated = state.players.filter((p) => p.role === "player").length;
  if (state.step === "answering") {
    const counts = (state.questions || []).map((q) => q.answered);
    const least = counts.length ? Math.min(...counts) : 0;
    return el("div", { class: "lead-actions" },
      button(i18n("ui.play.reveal"), () => app.act("reveal"), { cls: "btn btn-primary btn-large", key: "reveal", describedby: "reveal-hint" }),
      el("p", { class: "hint", id: "reveal-hint" }, least >= seated && seated > 0 ? i18n("ui.play.reveal_all_in") : i18n("ui.play.reveal_hint")));
  }
  return el("div", { class: "lead-actions" },
    button(state.cards_left ? i18n("ui.play.next") : i18n("ui.play.next_last"), () => app.act("next"), { cls: "btn btn-primary btn-large", key: "next" }));
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

function facilitatorControls(app) {
  const { state } = app;
  const hasCard = Boolean(state.card);
  const finish = app.ui.confirmFinish
    ? el("div", { class: "confirm", role: "group", "aria-labelledby": "confirm-finish" },
      el("p", { id: "confirm-finish" }, i18n("ui.control.finish_confirm")),
      button(i18n("ui.control.finish_yes"), () => app.act("finish"), { cls: "btn btn-danger", key: "finish-yes" }),
      button(i18n("ui.control.cancel"), () => { app.ui.confirmFinish = false; app.rerender(); }, { cls: "btn btn-secondary", key: "finish-no" }))
    : button(i18n("ui.control.finish"), () => { app.ui.confirmFinish = true; app.rerender(); }, { cls: "btn btn-secondary", key: "finish" });
  return el("section", { class: "panel controls", "aria-labelledby": "controls-heading" },
    el("h2", { id: "controls-heading" }, i18n("ui.control.heading")),
    el("div", { class: "control-buttons" },
      hasCard ? button(i18n("ui.control.skip"), () => app.act("skip"), { cls: "btn btn-secondary", key: "skip" }) : null,
      hasCard ? button(i18n("ui.control.park"), () => app.act("park"), { cls: "btn btn-secondary", key: "park" }) : null,
      button(i18n("ui.control.pass_turn"), () => app.act("pass_turn"), { cls: "btn btn-secondary", key: "pass" }),
      finish),
    el("p", { class: "hint" }, i18n("ui.control.hint")),
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

// --- synthesis -------------------------------------------------------------------------------

function synthesis(app) {
  const { state, config } = app;
  const s = state.synthesis || { criteria: [], cards_played: 0, cards_skipped: 0 };
  const groups = [["engagement", []], ["bien_etre", []]];
  for (const c of s.criteria) {
    const group = groups.find(([d]) => d === c.dimension);
    (group ? group[1] : groups[0][1]).push(c);
  }
  return el("div", { class: "synthesis" },
    el("section", { class: "panel synthesis-head" },
      heading(1, i18n("ui.synthesis.heading")),
      el("p", { class: "lead" }, i18n("ui.synthesis.played", { played: s.cards_played, skipped: s.cards_skipped })),
      app.presenter ? null : el("p", {}, el("a", { class: "btn btn-primary btn-large", href: config.report_url }, i18n("ui.synthesis.report")))),
    groups.map(([dimension, criteria]) => el("section", { class: "dimension", "aria-labelledby": `dim-${dimension}` },
      el("h2", { id: `dim-${dimension}` }, i18n(`dimension.${dimension}`)),
      el("ul", { class: "criteria" }, criteria.map((c) => criterionView(c))))),
    isFacilitator(app) && !app.presenter ? eraseSection(app) : null);
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

function criterionView(c) {
  const risks = c.risk_questions || [];
  const divergent = c.divergent_questions || [];
  return el("li", { class: `criterion level-${c.level}` },
    el("div", { class: "criterion-head" },
      el("h3", {}, i18n(`criterion.${c.criterion}.label`)),
      el("span", { class: `level-badge level-${c.level}` },
        el("span", { class: "level-icon", "aria-hidden": "true" }, LEVEL_ICONS[c.level] || ""),
        el("span", {}, i18n(`level.${c.level}`)))),
    el("p", { class: "muted small" }, i18n(`criterion.${c.criterion}.description`)),
    el("p", { class: "small" }, i18n("ui.synthesis.counts", { answered: c.answered, risks: c.risks })),
    risks.length ? el("ul", { class: "risk-list small" }, risks.map((q) => el("li", {}, el("span", { "aria-hidden": "true" }, "⚠ "), q.text))) : null,
    divergent.length ? el("p", { class: "small flag flag-divergent" }, el("span", { "aria-hidden": "true" }, "⚡ "), i18n("ui.synthesis.divergent", { count: divergent.length })) : null);
}
