// The actions panel of the game page (issue 16): who does what by when, recorded by the group
// while playing (also from a note) and in the synthesis; the facilitator edits and removes
// them; in a follow-up session, the earlier session's actions with the status the group gives.
// Renders from the state only (state.actions, state.follows), like views.js; the hook is one
// call in game.js: viewNode.replaceChildren(renderView(app), actionsPanel(app)).
import { i18n } from "./i18n.js";
import { el } from "./dom.js";

const CRITERIA = ["autonomie", "reconnaissance", "savoir_faire", "surveillance", "relations_humaines", "responsabilite"];
const STEPS = [1, 2, 3, 4, 5, 6, 7, 8, 9];
const STATUSES = ["done", "not_done", "dropped"];
const TEXT_MAX = 300;
const OWNER_MAX = 80;

let styled = false;

function ensureStyles() {
  // the panel's own stylesheet, so that pages using it need no other change
  if (styled || document.querySelector('link[href="/static/css/actions.css"]')) return;
  styled = true;
  document.head.appendChild(el("link", { rel: "stylesheet", href: "/static/css/actions.css" }));
}

function isFacilitator(app) {
  return Boolean(app.you && app.you.role === "facilitator");
}

function canWrite(app) {
  return Boolean(app.you && !app.presenter && app.you.role !== "viewer");
}

function ui(app) {
  if (!app.ui.actions) app.ui.actions = { open: null, editing: null, source: null };
  return app.ui.actions;
}

function due(value) {
  if (!value) return "";
  const [y, m, d] = value.split("-").map(Number);
  try {
    return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(document.documentElement.lang || "fr", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  } catch {
    return value;
  }
}

function meta(a) {
  const parts = [];
  if (a.owner) parts.push(i18n("ui.actions.meta_owner", { owner: a.owner }));
  if (a.due) parts.push(i18n("ui.actions.meta_due", { date: due(a.due) }));
  if (a.criterion) parts.push(i18n(`criterion.${a.criterion}.label`));
  if (a.guide_step) parts.push(i18n("ui.actions.meta_step", { number: a.guide_step }));
  return parts;
}

function field(app, key, label, input) {
  const id = `action-${key}`;
  input.id = id;
  input.dataset.focusKey = id;
  const draftKey = `action:${key}`;
  if (app.drafts[draftKey] !== undefined) input.value = app.drafts[draftKey];
  input.addEventListener("input", () => { app.drafts[draftKey] = input.value; });
  input.addEventListener("change", () => { app.drafts[draftKey] = input.value; });
  return el("div", { class: `action-field action-field--${key}` }, el("label", { for: id }, label), input);
}

function select(options, noneLabel) {
  const node = el("select", {}, el("option", { value: "" }, noneLabel),
    options.map(([value, label]) => el("option", { value: String(value) }, label)));
  return node;
}

function form(app, editing) {
  // one form: adding, or (facilitator) editing the action ``editing``
  const state = ui(app);
  if (editing && app.drafts["action:for"] !== editing.id) {
    app.drafts["action:for"] = editing.id;
    app.drafts["action:text"] = editing.text;
    app.drafts["action:owner"] = editing.owner || "";
    app.drafts["action:due"] = editing.due || "";
    app.drafts["action:criterion"] = editing.criterion || "";
    app.drafts["action:step"] = editing.guide_step ? String(editing.guide_step) : "";
  }
  const text = el("textarea", { rows: "2", maxlength: String(TEXT_MAX), required: true });
  const owner = el("input", { type: "text", maxlength: String(OWNER_MAX), autocomplete: "off" });
  const date = el("input", { type: "date", min: "2000-01-01", max: "2100-12-31" });
  const criterion = select(CRITERIA.map((c) => [c, i18n(`criterion.${c}.label`)]), i18n("ui.actions.criterion_none"));
  const step = select(STEPS.map((n) => [n, `${n}. ${i18n(`ui.actions.step.${n}`)}`]), i18n("ui.actions.step_none"));
  const clear = () => {
    for (const k of ["text", "owner", "due", "criterion", "step", "for"]) delete app.drafts[`action:${k}`];
    state.editing = null;
    state.source = null;
  };
  const submit = (event) => {
    event.preventDefault();
    const values = {
      text: (app.drafts["action:text"] || "").trim(),
      owner: (app.drafts["action:owner"] || "").trim(),
      due: app.drafts["action:due"] || null,
      criterion: app.drafts["action:criterion"] || null,
      guide_step: app.drafts["action:step"] ? Number(app.drafts["action:step"]) : null,
    };
    if (!values.text && !state.source) return;
    if (editing) app.act("action_edit", { action_id: editing.id, ...values });
    else app.act("action_add", { ...values, ...(state.source || {}) });
    clear();
    app.rerender();
  };
  return el("form", { class: "action-form", onsubmit: submit },
    state.source ? el("p", { class: "hint" }, i18n("ui.actions.from_note_hint")) : null,
    field(app, "text", i18n("ui.actions.text"), text),
    el("div", { class: "action-row" },
      field(app, "owner", i18n("ui.actions.owner"), owner),
      field(app, "due", i18n("ui.actions.due"), date)),
    el("div", { class: "action-row" },
      field(app, "criterion", i18n("ui.actions.criterion"), criterion),
      field(app, "step", i18n("ui.actions.step"), step)),
    el("div", { class: "action-buttons" },
      el("button", { type: "submit", class: "btn btn-primary", "data-focus-key": "action-submit" }, editing ? i18n("ui.actions.save") : i18n("ui.actions.add")),
      editing || state.source ? el("button", { type: "button", class: "btn btn-secondary", onclick: () => { clear(); app.rerender(); } }, i18n("ui.actions.cancel")) : null));
}

function notesToTurn(app) {
  // the notes the group may turn into actions: the card in play's, or in the synthesis every
  // card's (from the synthesis' criteria, once per card)
  const { state } = app;
  const out = [];
  if (state.card && (state.notes || []).length) {
    state.notes.forEach((n, i) => out.push({ card_id: state.card.id, card_title: state.card.title, note: i, text: n.text }));
  }
  if (state.phase === "synthesis" && state.synthesis) {
    const seen = new Set();
    for (const c of state.synthesis.criteria || []) {
      for (const group of c.notes || []) {
        if (seen.has(group.card_id)) continue;
        seen.add(group.card_id);
        group.notes.forEach((n, i) => out.push({ card_id: group.card_id, card_title: group.card_title, note: i, text: n.text }));
      }
    }
  }
  return out;
}

function notesPicker(app) {
  const notes = notesToTurn(app);
  if (!notes.length) return null;
  const state = ui(app);
  return el("ul", { class: "action-notes" }, notes.map((n) => el("li", {},
    el("span", { class: "action-note-text" }, n.text),
    el("button", {
      type: "button", class: "btn btn-small btn-secondary", "data-focus-key": `action-note-${n.card_id}-${n.note}`,
      onclick: () => {
        state.source = { card_id: n.card_id, note: n.note };
        state.editing = null;
        delete app.drafts["action:for"];
        app.drafts["action:text"] = n.text.replace(/\s+/g, " ").slice(0, TEXT_MAX);
        app.rerender();
        const area = document.getElementById("action-text");
        if (area) area.focus();
      },
    }, i18n("ui.actions.from_note")))));
}

function actionItem(app, a) {
  const state = ui(app);
  const lead = isFacilitator(app) && !app.presenter;
  return el("li", { class: "action-item", dataset: { action: a.id } },
    el("span", { class: "action-box", "aria-hidden": "true" }),
    el("div", { class: "action-body" },
      el("strong", { class: "action-text" }, a.text),
      meta(a).length ? el("span", { class: "action-meta" }, meta(a).join(" · ")) : null),
    lead ? el("div", { class: "action-tools" },
      el("button", { type: "button", class: "btn btn-small btn-secondary", "data-focus-key": `action-edit-${a.id}`, "aria-label": `${i18n("ui.actions.edit")} — ${a.text}`, onclick: () => { state.editing = a.id; state.source = null; app.rerender(); } }, i18n("ui.actions.edit")),
      el("button", { type: "button", class: "btn btn-small btn-link", "data-focus-key": `action-remove-${a.id}`, "aria-label": `${i18n("ui.actions.remove")} — ${a.text}`, onclick: () => app.act("action_remove", { action_id: a.id }) }, i18n("ui.actions.remove"))) : null);
}

function earlierPanel(app) {
  const follows = app.state.follows;
  if (!follows || !(follows.actions || []).length) return null;
  const write = canWrite(app);
  return el("div", { class: "earlier-actions" },
    el("h3", { id: "earlier-actions-heading" }, i18n("ui.actions.earlier_title")),
    el("p", { class: "hint" }, i18n("ui.actions.earlier_intro")),
    el("ul", { class: "action-list" }, follows.actions.map((a) => el("li", { class: `action-item action-item--${a.status || "unset"}`, dataset: { earlier: a.id } },
      el("div", { class: "action-body" },
        el("strong", { class: "action-text" }, a.text),
        meta(a).length ? el("span", { class: "action-meta" }, meta(a).join(" · ")) : null,
        write ? null : el("span", { class: `status-tag status-tag--${a.status || "unset"}` }, i18n(`ui.actions.status.${a.status || "unset"}`))),
      write ? el("div", { class: "status-buttons", role: "group", "aria-label": `${i18n("ui.actions.status_label")} — ${a.text}` },
        STATUSES.map((s) => el("button", {
          type: "button", class: `btn btn-small btn-status btn-status--${s}`, "aria-pressed": a.status === s ? "true" : "false",
          "data-focus-key": `status-${a.id}-${s}`,
          onclick: () => app.act("action_status", { action_id: a.id, status: a.status === s ? null : s }),
        }, i18n(`ui.actions.status.${s}`)))) : null))));
}

export function actionsPanel(app) {
  const { state } = app;
  if (!state) return document.createDocumentFragment();
  const inPlay = state.phase === "playing" || state.phase === "synthesis";
  const actions = state.actions || [];
  const earlier = earlierPanel(app);
  if (!inPlay && !earlier) return document.createDocumentFragment();
  if (app.presenter && !actions.length && !earlier) return document.createDocumentFragment();
  ensureStyles();
  const local = ui(app);
  const editing = local.editing ? actions.find((a) => a.id === local.editing) : null;
  const open = local.open === null ? state.phase !== "playing" || Boolean(earlier && state.phase === "lobby") : local.open;
  const details = el("details", { class: "panel actions-panel", id: "actions-panel", open },
    el("summary", { "data-focus-key": "actions-summary" },
      el("h2", { id: "actions-heading" }, i18n("ui.actions.title")),
      inPlay ? el("span", { class: "tag" }, i18n("ui.actions.count", { count: actions.length })) : null),
    inPlay ? el("p", { class: "hint" }, i18n("ui.actions.intro")) : null,
    inPlay ? (actions.length
      ? el("ul", { class: "action-list", "aria-labelledby": "actions-heading" }, actions.map((a) => actionItem(app, a)))
      : el("p", { class: "muted" }, i18n("ui.actions.empty"))) : null,
    inPlay && canWrite(app) ? notesPicker(app) : null,
    inPlay && canWrite(app) && (!editing || isFacilitator(app)) ? form(app, editing) : null,
    earlier);
  details.addEventListener("toggle", () => { local.open = details.open; });
  return details;
}
