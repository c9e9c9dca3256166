// The library: built-in and custom decks, a new deck, imports, opening and deleting decks.
import { editable, focusPath, showProblems } from './checks.js';
import { $, CONFIG, DECK_ID_RE, DEFAULT_COLORS, LANG, api, els, h, isObj, problemsOf, say, state, str, t, uniqueId } from './context.js';
import { deckTokens } from '../storage.js';
import { renderEditor, renderHeader } from './editor.js';

export async function loadDecks() {
  const res = await api('GET', '/api/decks');
  state.decks = res.ok && Array.isArray(res.body) ? res.body : [];
  renderLibrary();
}

export function renderLibrary() {
  els.builtinList.replaceChildren();
  els.customList.replaceChildren();
  for (const info of state.decks) {
    const mine = !info.builtin && deckTokens.get(info.id);
    const actions = [];
    if (mine) {
      actions.push(h('button', { type: 'button', class: 'btn btn-primary btn-small', onclick: () => openDeck(info.id),
        'aria-label': t('studio.edit_named', { title: info.title }), text: t('studio.edit') }));
    } else {
      actions.push(h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: () => openDeck(info.id),
        'aria-label': t('studio.duplicate_named', { title: info.title }), text: t('studio.duplicate') }));
    }
    actions.push(h('button', { type: 'button', class: 'btn st-play btn-small', onclick: () => play(info.id),
      'aria-label': t('studio.play_named', { title: info.title }), text: t('studio.play') }));
    actions.push(h('a', { class: 'btn btn-link btn-small', href: `/api/decks/${encodeURIComponent(info.id)}`,
      download: `${info.id}.json`, 'aria-label': t('studio.export_named', { title: info.title }),
      text: t('studio.export_short') }));
    const badges = [h('span', { class: 'badge', text: info.language.toUpperCase() })];
    if (info.builtin) badges.push(h('span', { class: 'badge', text: t('studio.builtin') }));
    else if (mine) badges.push(h('span', { class: 'badge mine', text: t('studio.mine') }));
    else badges.push(h('span', { class: 'badge', text: t('studio.read_only') }));
    const item = h('li', { class: 'deck-item', 'data-deck': info.id },
      h('div', { class: 'deck-item-head' },
        h('h3', { text: info.title }),
        h('p', { class: 'st-deck-meta' }, t('studio.card_count', { count: info.card_count }), ' · ',
          h('code', { text: info.id }), ' ', ...badges)),
      info.description ? h('p', { class: 'deck-description', text: info.description }) : null,
      h('div', { class: 'deck-actions' }, actions));
    (info.builtin ? els.builtinList : els.customList).append(item);
  }
  els.builtinList.removeAttribute('aria-busy');
  els.customList.removeAttribute('aria-busy');
  els.customEmpty.hidden = state.decks.some((d) => !d.builtin);
}

export function showLibrary() {
  if (state.dirty && !window.confirm(t('studio.confirm_leave'))) return;
  state.deck = null;
  state.dirty = false;
  showProblems([]);
  els.editor.hidden = true;
  els.library.hidden = false;
  history.replaceState(null, '', `/studio?lang=${LANG}`);
  document.title = `${t('studio.page_title')} — ExplorIA en ligne`;
  loadDecks();
  $('#library-title').focus?.();
}

/* ---------- opening a deck ---------- */

export function takenIds() {
  return new Set(state.decks.map((d) => d.id));
}

export function newDeck() {
  const theme = { id: 'theme-1', title: t('studio.new_theme_title'), color: DEFAULT_COLORS[0] };
  const deck = {
    format: CONFIG.format,
    id: uniqueId(t('studio.new_deck_id'), takenIds()),
    title: t('studio.new_deck_title'),
    language: LANG,
    description: '',
    author: '',
    version: '1.0',
    themes: [theme],
    cards: [blankCard(theme.id, new Set())],
  };
  startEditing(deck, { savedId: null, token: null });
  els.details.open = true;
  say(t('studio.new_deck_ready'));
  focusPath('title');
}

export function blankCard(themeId, taken) {
  return {
    id: uniqueId('c1', taken).replace(/^c1-(\d+)$/, 'c$1'),
    theme: themeId,
    title: t('studio.new_card_title'),
    situation: '',
    questions: [{ id: 'q1', kind: 'yes_no', text: '', criterion: '', risk_answer: '' }],
  };
}

/** Opens a stored deck: to edit it when we hold its token, else as a copy with a new id. */
export async function openDeck(id) {
  const res = await api('GET', `/api/decks/${encodeURIComponent(id)}`);
  if (!res.ok) {
    say(problemsOf(res)[0].message, 'error');
    return;
  }
  const info = state.decks.find((d) => d.id === id);
  const token = deckTokens.get(id);
  if (token && !(info && info.builtin)) {
    startEditing(res.body, { savedId: id, token });
    return;
  }
  const deck = res.body;
  deck.id = uniqueId(`${id}-${t('studio.copy_suffix')}`, takenIds());
  deck.title = t('studio.copy_title', { title: str(deck.title) }).slice(0, 200);
  startEditing(deck, { savedId: null, token: null });
  state.dirty = true;
  els.copyNote.textContent = info && info.builtin
    ? t('studio.copy_of_builtin', { id })
    : t('studio.copy_without_token', { id });
  els.copyNote.hidden = false;
  renderHeader();
}

export function startEditing(deck, { savedId, token }) {
  state.deck = editable(deck);
  state.savedId = savedId;
  state.token = token;
  state.selected = 0;
  state.dirty = false;
  state.problems = [];
  els.problems.hidden = true;
  els.copyNote.hidden = true;
  els.editLink.hidden = true;
  els.library.hidden = true;
  els.editor.hidden = false;
  if (savedId) history.replaceState(null, '', `/studio?deck=${encodeURIComponent(savedId)}&lang=${LANG}`);
  else history.replaceState(null, '', `/studio?lang=${LANG}`);
  renderEditor();
  window.scrollTo(0, 0);
}

/* ---------- import ---------- */

export function jsonErrorMessage(err, text) {
  const m = /position (\d+)/.exec(String(err && err.message));
  if (!m) return t('error.bad_json');
  const before = text.slice(0, Number(m[1])).split('\n');
  return t('error.bad_json_at', { line: before.length, column: before[before.length - 1].length + 1 });
}

export async function importFile(file) {
  if (!file) return;
  if (state.deck && state.dirty && !window.confirm(t('studio.confirm_leave'))) return;
  const title = t('studio.import_problems', { name: file.name });
  const fail = (message) => {
    showLibraryQuietly();
    showProblems([{ path: '', message }], title);
  };
  if (file.size > CONFIG.max_file_bytes) {
    fail(t('error.deck_too_large', { limit: Math.floor(CONFIG.max_file_bytes / 1024) }));
    return;
  }
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer());
  } catch {
    fail(t('error.not_utf8'));
    return;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM from some editors
  let data;
  try {
    data = JSON.parse(text);
  } catch (err) {
    fail(jsonErrorMessage(err, text));
    return;
  }
  const res = await api('POST', '/api/validate/deck', JSON.stringify(data));
  if (res.status === 0 || res.status >= 500) {
    fail(problemsOf(res)[0].message);
    return;
  }
  if (!isObj(data)) {
    fail(problemsOf(res)[0].message);
    return;
  }
  const id = str(data.id);
  const token = DECK_ID_RE.test(id) ? deckTokens.get(id) : null;
  const ours = Boolean(token && state.decks.some((d) => d.id === id && !d.builtin));
  startEditing(data, ours ? { savedId: id, token } : { savedId: null, token: null });
  state.dirty = true;
  renderHeader();
  if (!res.ok) {
    showProblems(problemsOf(res), title);
    return;
  }
  if (res.body.id_taken && !ours) {
    showProblems([{ path: 'id', message: t('error.deck_id_taken', { deck: id }), code: 'deck_id_taken' }],
      t('studio.import_taken'));
    return;
  }
  say(t('studio.import_ok', { name: file.name, count: res.body.card_count }), 'ok');
}

export function showLibraryQuietly() {
  if (!els.library.hidden) return;
  state.deck = null;
  state.dirty = false;
  els.editor.hidden = true;
  els.library.hidden = false;
}

/* ---------- editor: rendering ---------- */

export async function loadDecksQuietly() {
  const res = await api('GET', '/api/decks');
  if (res.ok && Array.isArray(res.body)) state.decks = res.body;
}

/** A session on a deck goes through the home page's options (cards, duration, framing…). */
export function play(deckId) {
  // mine=: a custom deck is listed on the home page even without this browser's deck cookie
  window.location.assign(`/?lang=${LANG}&deck=${encodeURIComponent(deckId)}&mine=${encodeURIComponent(deckId)}#create-heading`);
}

export async function deleteDeck() {
  if (!(state.savedId && state.token)) return;
  if (!window.confirm(t('studio.confirm_delete_deck', { title: str(state.deck.title) }))) return;
  const res = await api('DELETE', `/api/decks/${encodeURIComponent(state.savedId)}`, undefined, state.token);
  if (!res.ok) {
    say(problemsOf(res)[0].message, 'error');
    return;
  }
  deckTokens.remove(state.savedId);
  state.dirty = false;
  showLibrary();
  say(t('studio.deleted_deck'), 'ok');
}
