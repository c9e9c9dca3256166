// The editor drawn: metadata, themes, the card list, the card open and its questions.
import { decorate } from './checks.js';
import { $, COLOR_RE, CONFIG, els, h, state, str, t } from './context.js';
import { addQuestion, addTheme, changed, deleteCard, deleteQuestion, deleteTheme, duplicateCard, moveCard, moveQuestion, renderLink, selectCard } from './edits.js';
import { renderCoverage, renderPreview } from './preview.js';

export let uid = 0;
export function field(label, control, { hint, wide, path } = {}) {
  if (!control.id) { uid += 1; control.id = `f${uid}`; }
  if (path) control.dataset.path = path;
  const wrap = h('div', { class: wide ? 'field wide' : 'field' }, h('label', { for: control.id, text: label }), control);
  if (hint) {
    const hintId = `${control.id}-hint`;
    wrap.append(h('p', { class: 'st-hint', id: hintId, text: hint }));
    control.setAttribute('aria-describedby', hintId);
  }
  return wrap;
}

/** A text input bound to obj[key]; ``after`` runs on every change. */
export function textControl(obj, key, { multiline = false, max = CONFIG.max_text, rows = 3, placeholder, after, readonly } = {}) {
  const el = multiline
    ? h('textarea', { rows, maxlength: max, placeholder, readonly })
    : h('input', { type: 'text', maxlength: max, placeholder, readonly, spellcheck: key.includes('id') ? 'false' : null });
  el.value = str(obj[key]);
  el.addEventListener('input', () => {
    obj[key] = el.value;
    el.removeAttribute('aria-invalid');
    changed();
    if (after) after(el.value);
  });
  return el;
}

export function selectControl(obj, key, options, { after } = {}) {
  const el = h('select', {}, options.map(([value, label]) => h('option', { value, text: label })));
  const current = str(obj[key]);
  if (!options.some(([v]) => v === current)) el.prepend(h('option', { value: current, text: current || '—' }));
  el.value = current;
  el.addEventListener('change', () => {
    obj[key] = el.value;
    el.removeAttribute('aria-invalid');
    changed();
    if (after) after(el.value);
  });
  return el;
}

export const ICONS = {
  up: 'M12 19V5M5 12l7-7 7 7',
  down: 'M12 5v14M19 12l-7 7-7-7',
  copy: 'M9 9h11v11H9zM5 15H4V4h11v1',
  delete: 'M6 6l12 12M18 6L6 18',
};

export function icon(name) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}

export function actionButton(name, label, onclick, { disabled = false, cls = '' } = {}) {
  return h('button', { type: 'button', class: `icon-btn ${cls}`.trim(), 'aria-label': label, title: label,
    onclick, disabled }, icon(name));
}

export function renderEditor() {
  renderHeader();
  renderMeta();
  renderThemes();
  renderCards();
  renderLink();
}

export function renderHeader() {
  const deck = state.deck;
  els.editorTitle.textContent = str(deck.title) || t('studio.untitled');
  document.title = `${str(deck.title) || t('studio.untitled')} — ${t('studio.page_title')}`;
  let status;
  if (!state.savedId) status = t('studio.state_unsaved');
  else if (state.dirty) status = t('studio.state_dirty');
  else status = t('studio.state_saved');
  els.editorState.textContent = status;
  els.editorState.className = `editor-state ${state.dirty || !state.savedId ? 'dirty' : 'saved'}`;
  els.deleteDeck.hidden = !(state.savedId && state.token);
}

export function renderMeta() {
  const deck = state.deck;
  const idControl = textControl(deck, 'id', { max: 64, readonly: Boolean(state.savedId) });
  els.meta.replaceChildren(
    field(t('studio.deck_title'), textControl(deck, 'title', { max: 200, after: renderHeader }), { path: 'title', wide: true }),
    field(t('studio.deck_id'), idControl, {
      path: 'id', hint: state.savedId ? t('studio.deck_id_locked') : t('studio.deck_id_hint'),
    }),
    field(t('studio.deck_language'), selectControl(deck, 'language', [['fr', 'Français'], ['en', 'English']]), { path: 'language' }),
    field(t('studio.deck_description'), textControl(deck, 'description', { multiline: true, rows: 3 }), { path: 'description', wide: true }),
    field(t('studio.deck_author'), textControl(deck, 'author', { max: 200 }), { path: 'author' }),
    field(t('studio.deck_version'), textControl(deck, 'version', { max: 40 }), { path: 'version' }),
  );
}

export function cardsPerTheme() {
  const counts = new Map();
  for (const card of state.deck.cards) counts.set(card.theme, (counts.get(card.theme) || 0) + 1);
  return counts;
}

export function renderThemes() {
  const deck = state.deck;
  const counts = cardsPerTheme();
  const list = h('ol', { class: 'theme-list' });
  deck.themes.forEach((theme, i) => {
    const p = `themes[${i}]`;
    const color = h('input', { type: 'color', value: COLOR_RE.test(str(theme.color)) ? theme.color.toLowerCase() : '#2a6f97' });
    color.addEventListener('input', () => { theme.color = color.value; changed(); renderThemeUses(); });
    const oldId = { value: str(theme.id) };
    const idControl = textControl(theme, 'id', { max: 64 });
    idControl.addEventListener('change', () => {
      // cards follow their theme when its id is renamed
      for (const card of deck.cards) if (card.theme === oldId.value) card.theme = theme.id;
      oldId.value = str(theme.id);
      renderCards();
    });
    const used = counts.get(theme.id) || 0;
    list.append(h('li', { class: 'theme-row', 'data-path': p, tabindex: '-1' },
      field(t('studio.theme_title'), textControl(theme, 'title', { max: 200, after: renderThemeUses }), { path: `${p}.title` }),
      field(t('studio.theme_id'), idControl, { path: `${p}.id` }),
      field(t('studio.theme_color'), color, { path: `${p}.color` }),
      h('p', { class: 'theme-count muted', text: t('studio.card_count', { count: used }) }),
      actionButton('delete', t('studio.delete_theme', { title: str(theme.title) }), () => deleteTheme(i), { cls: 'danger' })));
  });
  els.themes.replaceChildren(list,
    h('button', { type: 'button', class: 'btn btn-secondary btn-small', id: 'add-theme', onclick: addTheme, text: t('studio.add_theme'),
      disabled: deck.themes.length >= CONFIG.max_themes }));
}

export function renderThemeUses() {
  renderCardList();
  renderCardEditorThemeOptions();
  renderPreview();
  renderCoverage();
}

export function themeOf(card) {
  return state.deck.themes.find((th) => th.id === card.theme) || null;
}

export function renderCards() {
  renderCardList();
  renderCardEditor();
  renderPreview();
  renderCoverage();
  decorate();
}

export function renderCardList() {
  const deck = state.deck;
  const n = deck.cards.length;
  $('#cards-title').textContent = t('studio.cards_count', { count: n });
  $('#add-card').disabled = n >= CONFIG.max_cards;
  els.cardList.replaceChildren(...deck.cards.map((card, i) => {
    const theme = themeOf(card);
    const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
    if (theme && COLOR_RE.test(str(theme.color))) swatch.style.backgroundColor = theme.color;
    const title = str(card.title) || t('studio.untitled_card');
    const pick = h('button', { type: 'button', class: 'card-pick', 'aria-current': i === state.selected ? 'true' : null,
      onclick: () => selectCard(i) },
    swatch,
    h('span', { class: 'card-num', text: `${i + 1}.` }),
    h('span', { class: 'card-row-text' },
      h('span', { class: 'card-row-title', text: title }),
      h('span', { class: 'card-row-meta', text: `${theme ? str(theme.title) : str(card.theme)} · ${t('studio.question_count', { count: card.questions.length })}` })));
    return h('li', { class: i === state.selected ? 'card-row selected' : 'card-row', 'data-row': i },
      pick,
      h('span', { class: 'row-actions' },
        actionButton('up', t('studio.move_card_up', { title }), () => moveCard(i, -1, 'up'), { disabled: i === 0 }),
        actionButton('down', t('studio.move_card_down', { title }), () => moveCard(i, 1, 'down'), { disabled: i === n - 1 }),
        actionButton('copy', t('studio.duplicate_card', { title }), () => duplicateCard(i), { disabled: n >= CONFIG.max_cards }),
        actionButton('delete', t('studio.delete_card', { title }), () => deleteCard(i), { cls: 'danger' })));
  }));
}

export function themeOptions() {
  return state.deck.themes.map((th) => [str(th.id), str(th.title) || str(th.id)]);
}

export function renderCardEditorThemeOptions() {
  const select = els.cardEditor.querySelector('select.st-card-theme');
  const card = state.deck.cards[state.selected];
  if (!select || !card) return;
  const fresh = selectControl(card, 'theme', themeOptions(), { after: renderThemeUses });
  fresh.id = select.id;
  fresh.className = select.className;
  fresh.dataset.path = select.dataset.path;
  select.replaceWith(fresh);
}

export function renderCardEditor() {
  const deck = state.deck;
  if (!deck.cards.length) {
    els.cardEditor.replaceChildren(h('p', { class: 'muted', text: t('studio.no_cards') }));
    return;
  }
  state.selected = Math.min(state.selected, deck.cards.length - 1);
  const i = state.selected;
  const card = deck.cards[i];
  const p = `cards[${i}]`;
  els.cardEditor.dataset.path = p;
  els.cardEditor.tabIndex = -1;
  const themeSelect = selectControl(card, 'theme', themeOptions(), { after: renderThemeUses });
  themeSelect.className = 'st-card-theme';
  const tip = textControl(card, 'facilitator_tip', { multiline: true, rows: 2 });
  const questions = h('ol', { class: 'question-list', 'data-path': `${p}.questions`, tabindex: '-1' },
    card.questions.map((q, j) => renderQuestion(card, q, i, j)));
  const n = card.questions.length;
  els.cardEditor.replaceChildren(
    h('h2', { id: 'card-editor-title', text: t('studio.card_editor_title', { n: i + 1, total: deck.cards.length }) }),
    h('div', { class: 'st-grid' },
      field(t('studio.card_title'), textControl(card, 'title', { max: 200, after: () => renderCardList() }), { path: `${p}.title`, wide: true }),
      field(t('studio.card_theme'), themeSelect, { path: `${p}.theme` }),
      field(t('studio.card_id'), textControl(card, 'id', { max: 64 }), { path: `${p}.id`, hint: t('studio.local_id_hint') }),
      field(t('studio.card_situation'), textControl(card, 'situation', { multiline: true, rows: 4 }), { path: `${p}.situation`, wide: true }),
      field(t('studio.card_tip'), tip, { path: `${p}.facilitator_tip`, wide: true, hint: t('studio.card_tip_hint') })),
    h('h3', { text: t('studio.questions') }),
    questions,
    h('div', { class: 'add-row' },
      h('button', { type: 'button', class: 'btn btn-secondary btn-small', disabled: n >= CONFIG.max_questions, onclick: () => addQuestion('yes_no'), text: t('studio.add_yes_no') }),
      h('button', { type: 'button', class: 'btn btn-secondary btn-small', disabled: n >= CONFIG.max_questions, onclick: () => addQuestion('open'), text: t('studio.add_open') })));
}

export function renderQuestion(card, q, i, j) {
  const p = `cards[${i}].questions[${j}]`;
  const n = card.questions.length;
  const kind = selectControl(q, 'kind', [['yes_no', t('studio.kind_yes_no')], ['open', t('studio.kind_open')]], {
    after: (value) => {
      if (value === 'open') delete q.risk_answer;
      else if (q.risk_answer === undefined) q.risk_answer = '';
      rerenderCardEditor(`[data-path="${p}.kind"]`);
    },
  });
  kind.classList.add('question-kind');
  const criteria = [['', q.kind === 'yes_no' ? t('studio.choose') : t('studio.no_criterion')],
    ...CONFIG.criteria.map((c) => [c, t(`criterion.${c}.label`)])];
  const parts = [
    field(t('studio.question_text'), textControl(q, 'text', { multiline: true, rows: 2 }), { path: `${p}.text`, wide: true }),
    field(t('studio.question_criterion'), selectControl(q, 'criterion', criteria), {
      path: `${p}.criterion`, hint: q.kind === 'yes_no' ? null : t('studio.criterion_optional'),
    }),
  ];
  if (q.kind !== 'open') {
    parts.push(field(t('studio.question_risk'), selectControl(q, 'risk_answer',
      [['', t('studio.choose')], ['yes', t('studio.risk_yes')], ['no', t('studio.risk_no')]]),
    { path: `${p}.risk_answer`, hint: t('studio.risk_hint') }));
  }
  parts.push(field(t('studio.question_id'), textControl(q, 'id', { max: 64 }), { path: `${p}.id` }));
  return h('li', { class: 'st-question', 'data-path': p, tabindex: '-1' },
    h('div', { class: 'question-head' },
      h('span', { class: 'question-num', text: t('studio.question_n', { n: j + 1 }) }),
      field(t('studio.question_kind'), kind, { path: `${p}.kind` }),
      h('span', { class: 'row-actions' },
        actionButton('up', t('studio.move_question_up', { n: j + 1 }), () => moveQuestion(j, -1, 'up'), { disabled: j === 0 }),
        actionButton('down', t('studio.move_question_down', { n: j + 1 }), () => moveQuestion(j, 1, 'down'), { disabled: j === n - 1 }),
        actionButton('delete', t('studio.delete_question', { n: j + 1 }), () => deleteQuestion(j), { cls: 'danger' }))),
    h('div', { class: 'st-grid' }, parts));
}

export function rerenderCardEditor(focusSelector) {
  renderCardEditor();
  decorate();
  if (focusSelector) els.cardEditor.querySelector(focusSelector)?.focus();
}
