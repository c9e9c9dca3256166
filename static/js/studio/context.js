// The studio's shared parts: its configuration and translations, the element builder, API
// calls, the deck being edited, the page's elements and the status line.
import { el, readJson } from '../dom.js';
import { formatMessage } from '../i18n.js';

export const $ = (sel, root = document) => root.querySelector(sel);
export const I18N = readJson('studio-i18n', {});
export const CONFIG = readJson('studio-config', {});
export const LANG = document.documentElement.lang === 'en' ? 'en' : 'fr';
export const DECK_ID_RE = /^[a-z0-9-]{3,64}$/;
export const COLOR_RE = /^#[0-9a-fA-F]{6}$/;
export const DEFAULT_COLORS = ['#2a6f97', '#6a4c93', '#1b7f5b', '#b5452b', '#8a6d00', '#3d5a80', '#9c2f6b'];

/* ---------- small helpers ---------- */

// the game's message format (plurals, elision): static/js/i18n.js
export function t(key, params = {}) {
  return formatMessage(LANG, I18N[key] ?? key, params);
}

// the game's element builder: data only ever set as text or attribute values
export const h = el;

export const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
export const str = (v) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
export const clone = (v) => JSON.parse(JSON.stringify(v));

export function uniqueId(base, taken, max = 64) {
  const root = base.slice(0, max - 4);
  if (!taken.has(root)) return root;
  for (let n = 2; ; n += 1) if (!taken.has(`${root}-${n}`)) return `${root}-${n}`;
}

export function withLang(url) {
  return url + (url.includes('?') ? '&' : '?') + 'lang=' + LANG;
}

/** fetch, always answering {ok, status, body}; body is JSON when the server sent JSON. */
export async function api(method, url, body, token) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    const res = await fetch(withLang(url), { method, headers, body });
    let data = null;
    if ((res.headers.get('content-type') || '').includes('json')) data = await res.json();
    return { ok: res.ok, status: res.status, body: data };
  } catch {
    return { ok: false, status: 0, body: { error: { message: t('studio.network_error') } } };
  }
}

/** Problems from any error answer of the API: the deck 422 list, or one error. */
export function problemsOf(res) {
  const body = res.body || {};
  if (Array.isArray(body.errors) && body.errors.length) {
    return body.errors.map((e) => ({ path: str(e.path), message: str(e.message), code: e.code || '' }));
  }
  const err = body.error || {};
  const path = err.code === 'deck_id_taken' ? 'id' : '';
  return [{ path, message: err.message || t('studio.http_error', { status: res.status }), code: err.code || '' }];
}

/* ---------- state ---------- */

export const state = {
  decks: [],        // GET /api/decks
  deck: null,       // the deck being edited, in the file format
  savedId: null,    // its id on the server once saved by us (then PUT with the token)
  token: null,      // the edit token of savedId
  selected: 0,      // index of the card open in the card editor
  dirty: false,
  problems: [],     // [{path, message}] shown in the problems panel and on the fields
};

export const els = {
  status: $('#studio-status'),
  library: $('#library'),
  editor: $('#editor'),
  problems: $('#problems'),
  problemsTitle: $('#problems-title'),
  problemList: $('#problem-list'),
  builtinList: $('#builtin-list'),
  customList: $('#custom-list'),
  customEmpty: $('#custom-empty'),
  importFile: $('#import-file'),
  dropzone: $('#dropzone'),
  overlay: $('#drop-overlay'),
  editorTitle: $('#editor-title'),
  editorState: $('#editor-state'),
  copyNote: $('#copy-note'),
  editLink: $('#edit-link'),
  editLinkUrl: $('#edit-link-url'),
  details: $('#deck-details'),
  meta: $('#st-deck-meta'),
  themes: $('#themes'),
  cardList: $('#card-list'),
  cardEditor: $('#card-editor'),
  preview: $('#preview'),
  coverage: $('#coverage-body'),
  deleteDeck: $('#delete-deck'),
};

export let statusTimer = null;
export function say(message, kind = 'info') {
  els.status.textContent = message;
  els.status.className = `studio-status ${kind}`;
  els.status.hidden = false;
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => { els.status.hidden = true; }, kind === 'error' ? 12000 : 6000);
}

/* ---------- the deck as a file ---------- */
