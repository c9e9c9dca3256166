// The editor's changes (cards, questions and themes added, moved, removed) and save, export, play.
import { check, clearProblems, problemsBeforeSaving, showProblems, toFile } from './checks.js';
import { $, COLOR_RE, CONFIG, DEFAULT_COLORS, LANG, api, clone, els, h, problemsOf, say, state, str, t, uniqueId } from './context.js';
import { deckTokens } from '../storage.js';
import { renderCards, renderHeader, renderMeta, renderThemes, themeOf } from './editor.js';
import { blankCard, loadDecksQuietly, play } from './library.js';
import { renderCoverage, renderPreview } from './preview.js';

export function renderLink() {
  if (!(state.savedId && state.token)) {
    els.editLink.hidden = true;
    return;
  }
  els.editLinkUrl.value = editUrl(state.savedId, state.token);
  els.editLink.hidden = false;
}

export function editUrl(id, token) {
  return `${location.origin}/studio?deck=${encodeURIComponent(id)}#${token}`;
}

/* ---------- editor: changes ---------- */

export let refreshPending = false;
export function changed() {
  state.dirty = true;
  if (refreshPending) return;
  refreshPending = true;
  requestAnimationFrame(() => {
    refreshPending = false;
    if (!state.deck) return;
    renderHeader();
    renderPreview();
    renderCoverage();
    updateSelectedRow();
  });
}

export function updateSelectedRow() {
  const card = state.deck.cards[state.selected];
  const row = els.cardList.querySelector(`[data-row="${state.selected}"]`);
  if (!card || !row) return;
  const theme = themeOf(card);
  row.querySelector('.card-row-title').textContent = str(card.title) || t('studio.untitled_card');
  row.querySelector('.card-row-meta').textContent =
    `${theme ? str(theme.title) : str(card.theme)} · ${t('studio.question_count', { count: card.questions.length })}`;
  const swatch = row.querySelector('.swatch');
  swatch.style.backgroundColor = theme && COLOR_RE.test(str(theme.color)) ? theme.color : '';
}

/** After a change of structure the paths of the problems shown are stale: drop them. */
export function structureChanged() {
  state.dirty = true;
  clearProblems();
  renderHeader();
}

export function selectCard(i) {
  state.selected = i;
  renderCards();
  els.cardEditor.querySelector('input, textarea')?.focus();
}

export function focusRowAction(i, kind) {
  const row = els.cardList.querySelector(`[data-row="${i}"]`);
  if (!row) return;
  const buttons = row.querySelectorAll('.row-actions button');
  const wanted = kind === 'up' ? buttons[0] : kind === 'down' ? buttons[1] : null;
  const target = wanted && !wanted.disabled ? wanted : row.querySelector('.card-pick');
  target.focus();
}

export function moveCard(i, delta, kind) {
  const cards = state.deck.cards;
  const j = i + delta;
  if (j < 0 || j >= cards.length) return;
  [cards[i], cards[j]] = [cards[j], cards[i]];
  if (state.selected === i) state.selected = j;
  else if (state.selected === j) state.selected = i;
  structureChanged();
  renderCards();
  focusRowAction(j, kind);
  say(t('studio.moved_card', { title: str(cards[j].title), n: j + 1 }));
}

export function duplicateCard(i) {
  const cards = state.deck.cards;
  const copy = clone(cards[i]);
  copy.id = uniqueId(`${str(copy.id) || 'c'}-${t('studio.copy_suffix')}`, new Set(cards.map((c) => c.id)));
  copy.title = t('studio.copy_title', { title: str(copy.title) }).slice(0, 200);
  cards.splice(i + 1, 0, copy);
  state.selected = i + 1;
  structureChanged();
  renderCards();
  focusRowAction(i + 1, 'pick');
  say(t('studio.duplicated_card', { title: str(cards[i].title) }));
}

export function deleteCard(i) {
  const cards = state.deck.cards;
  const title = str(cards[i].title) || t('studio.untitled_card');
  if (!window.confirm(t('studio.confirm_delete_card', { title }))) return;
  cards.splice(i, 1);
  if (state.selected >= i && state.selected > 0) state.selected -= 1;
  structureChanged();
  renderCards();
  if (cards.length) focusRowAction(Math.min(i, cards.length - 1), 'pick');
  else $('#add-card').focus();
  say(t('studio.deleted_card', { title }));
}

export function addCard() {
  const deck = state.deck;
  if (deck.cards.length >= CONFIG.max_cards) return;
  const current = deck.cards[state.selected];
  const themeId = current ? current.theme : (deck.themes[0] ? deck.themes[0].id : '');
  const taken = new Set(deck.cards.map((c) => c.id));
  let n = deck.cards.length + 1;
  while (taken.has(`c${n}`)) n += 1;
  const card = blankCard(themeId, taken);
  card.id = `c${n}`;
  deck.cards.push(card);
  state.selected = deck.cards.length - 1;
  structureChanged();
  renderCards();
  els.cardEditor.querySelector(`[data-path="cards[${state.selected}].title"]`)?.focus();
  els.cardEditor.querySelector(`[data-path="cards[${state.selected}].title"]`)?.select();
}

export function addQuestion(kind) {
  const card = state.deck.cards[state.selected];
  const taken = new Set(card.questions.map((q) => q.id));
  let n = card.questions.length + 1;
  while (taken.has(`q${n}`)) n += 1;
  const q = { id: `q${n}`, kind, text: '', criterion: '' };
  if (kind === 'yes_no') q.risk_answer = '';
  card.questions.push(q);
  structureChanged();
  renderCards();
  els.cardEditor.querySelector(`[data-path="cards[${state.selected}].questions[${card.questions.length - 1}].text"]`)?.focus();
}

export function moveQuestion(j, delta, kind) {
  const qs = state.deck.cards[state.selected].questions;
  const k = j + delta;
  if (k < 0 || k >= qs.length) return;
  [qs[j], qs[k]] = [qs[k], qs[j]];
  structureChanged();
  renderCards();
  const item = els.cardEditor.querySelector(`[data-path="cards[${state.selected}].questions[${k}]"]`);
  const buttons = item.querySelectorAll('.row-actions button');
  const wanted = kind === 'up' ? buttons[0] : buttons[1];
  (wanted.disabled ? item.querySelector('textarea') : wanted).focus();
}

export function deleteQuestion(j) {
  const qs = state.deck.cards[state.selected].questions;
  if (str(qs[j].text) && !window.confirm(t('studio.confirm_delete_question', { n: j + 1 }))) return;
  qs.splice(j, 1);
  structureChanged();
  renderCards();
  els.cardEditor.querySelector('.st-question textarea')?.focus();
}

export function addTheme() {
  const deck = state.deck;
  const taken = new Set(deck.themes.map((th) => th.id));
  let n = deck.themes.length + 1;
  while (taken.has(`theme-${n}`)) n += 1;
  deck.themes.push({ id: `theme-${n}`, title: t('studio.new_theme_title'), color: DEFAULT_COLORS[(n - 1) % DEFAULT_COLORS.length] });
  structureChanged();
  renderThemes();
  renderCards();
  els.themes.querySelector(`[data-path="themes[${deck.themes.length - 1}].title"]`)?.focus();
}

export function deleteTheme(i) {
  const deck = state.deck;
  const theme = deck.themes[i];
  const used = deck.cards.filter((c) => c.theme === theme.id).length;
  if (used) {
    say(t('studio.theme_in_use', { title: str(theme.title), count: used }), 'error');
    return;
  }
  deck.themes.splice(i, 1);
  structureChanged();
  renderThemes();
  renderCards();
  $('#add-theme')?.focus();
}

/* ---------- check, save, export, play, delete ---------- */

export async function save() {
  const local = await problemsBeforeSaving(state.deck);
  if (local.length) {
    showProblems(local);
    say(t('studio.save_blocked', { count: local.length }), 'error');
    return false;
  }
  const body = JSON.stringify(toFile(state.deck));
  const firstSave = !state.savedId;
  const res = firstSave
    ? await api('POST', '/api/decks', body)
    : await api('PUT', `/api/decks/${encodeURIComponent(state.savedId)}`, body, state.token);
  if (!res.ok) {
    showProblems(problemsOf(res));
    say(t('studio.save_failed'), 'error');
    return false;
  }
  if (firstSave) {
    state.savedId = res.body.id;
    state.token = res.body.edit_token;
    deckTokens.set(state.savedId, state.token);
    history.replaceState(null, '', `/studio?deck=${encodeURIComponent(state.savedId)}&lang=${LANG}`);
  }
  state.dirty = false;
  els.copyNote.hidden = true;
  clearProblems();
  renderMeta();
  renderHeader();
  renderLink();
  say(t('studio.saved'), 'ok');
  if (firstSave) {
    els.editLink.classList.add('fresh');
    els.editLink.scrollIntoView({ block: 'nearest' });
    els.editLink.focus({ preventScroll: true });
  }
  loadDecksQuietly();
  return true;
}

export function exportDeck() {
  const deck = toFile(state.deck);
  const blob = new Blob([`${JSON.stringify(deck, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: `${str(deck.id) || 'deck'}.json`, class: 'visually-hidden' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  say(t('studio.exported', { name: `${str(deck.id) || 'deck'}.json` }), 'ok');
}

export async function playCurrent() {
  if (!state.savedId || state.dirty) {
    say(t('studio.saving_before_play'));
    if (!(await save())) return;
  }
  state.dirty = false;
  await play(state.savedId);
}

export async function copyLink() {
  const input = els.editLinkUrl;
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    input.select();
    document.execCommand('copy');
  }
  say(t('studio.copied'), 'ok');
}

/* ---------- wiring ---------- */
