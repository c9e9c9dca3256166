// The deck as a file, the checks made before a round trip, and the problems panel.
import { $, COLOR_RE, CONFIG, DECK_ID_RE, I18N, LOCAL_ID_RE, api, clone, els, h, isObj, problemsOf, say, state, str, t } from './context.js';
import { field, renderCards } from './editor.js';

/** Lists and objects where the editor expects them, so a broken import can still be edited. */
export function editable(data) {
  const deck = isObj(data) ? data : {};
  if (!Array.isArray(deck.themes)) deck.themes = [];
  deck.themes = deck.themes.map((x) => (isObj(x) ? x : {}));
  if (!Array.isArray(deck.cards)) deck.cards = [];
  deck.cards = deck.cards.map((c) => {
    const card = isObj(c) ? c : {};
    if (!Array.isArray(card.questions)) card.questions = [];
    card.questions = card.questions.map((q) => (isObj(q) ? q : {}));
    return card;
  });
  return deck;
}

/** The deck as saved and exported: optional fields left empty are dropped. */
export function toFile(deck) {
  const out = clone(deck);
  for (const card of out.cards || []) {
    if (!isObj(card)) continue;
    if (card.facilitator_tip === '' || card.facilitator_tip === null) delete card.facilitator_tip;
    for (const q of card.questions || []) {
      if (!isObj(q)) continue;
      if (q.criterion === '' || q.criterion === null) delete q.criterion;
      if (q.risk_answer === '' || q.risk_answer === null) delete q.risk_answer;
      if (q.kind === 'open') delete q.risk_answer;
    }
  }
  return out;
}

/** Cheap checks before a round trip; the server repeats them all and more. */
export function localProblems(deck) {
  const out = [];
  const add = (path, key, params = {}) => out.push({ path, message: t(key, params), code: key });
  const text = (path, value, { required = false, max = CONFIG.max_text } = {}) => {
    if (typeof value !== 'string' || (required && !value.trim())) {
      if (required || (value !== undefined && value !== null && typeof value !== 'string')) {
        add(path, 'studio.problem.empty');
      }
    } else if (value.length > max) add(path, 'deck.problem.too_long', { limit: max });
  };
  if (!DECK_ID_RE.test(str(deck.id))) add('id', 'deck.problem.bad_deck_id');
  text('title', deck.title, { required: true, max: 200 });
  text('description', deck.description);
  text('author', deck.author, { max: 200 });
  text('version', deck.version, { max: 40 });
  const themeIds = new Set();
  if (!deck.themes.length) add('themes', 'deck.problem.too_few', { limit: 1 });
  deck.themes.forEach((th, i) => {
    const p = `themes[${i}]`;
    if (!LOCAL_ID_RE.test(str(th.id))) add(`${p}.id`, 'deck.problem.bad_id');
    else if (themeIds.has(th.id)) add(`${p}.id`, 'deck.problem.duplicate_id', { id: th.id });
    themeIds.add(th.id);
    text(`${p}.title`, th.title, { required: true, max: 200 });
    if (th.color !== undefined && !COLOR_RE.test(str(th.color))) add(`${p}.color`, 'deck.problem.bad_color');
  });
  if (!deck.cards.length) add('cards', 'deck.problem.too_few', { limit: 1 });
  if (deck.cards.length > CONFIG.max_cards) add('cards', 'deck.problem.too_many', { limit: CONFIG.max_cards });
  const cardIds = new Set();
  deck.cards.forEach((card, i) => {
    const p = `cards[${i}]`;
    if (!LOCAL_ID_RE.test(str(card.id))) add(`${p}.id`, 'deck.problem.bad_id');
    else if (cardIds.has(card.id)) add(`${p}.id`, 'deck.problem.duplicate_id', { id: card.id });
    cardIds.add(card.id);
    if (!themeIds.has(card.theme)) add(`${p}.theme`, 'deck.problem.unknown_theme', { theme: str(card.theme) });
    text(`${p}.title`, card.title, { required: true, max: 200 });
    text(`${p}.situation`, card.situation);
    text(`${p}.facilitator_tip`, card.facilitator_tip);
    if (!card.questions.length) add(`${p}.questions`, 'deck.problem.too_few', { limit: 1 });
    if (card.questions.length > CONFIG.max_questions) {
      add(`${p}.questions`, 'deck.problem.too_many', { limit: CONFIG.max_questions });
    }
    const qIds = new Set();
    card.questions.forEach((q, j) => {
      const qp = `${p}.questions[${j}]`;
      if (!LOCAL_ID_RE.test(str(q.id))) add(`${qp}.id`, 'deck.problem.bad_id');
      else if (qIds.has(q.id)) add(`${qp}.id`, 'deck.problem.duplicate_id', { id: q.id });
      qIds.add(q.id);
      text(`${qp}.text`, q.text, { required: true });
      if (q.kind === 'yes_no') {
        if (!q.criterion) add(`${qp}.criterion`, 'deck.problem.criterion_required');
        if (!q.risk_answer) add(`${qp}.risk_answer`, 'deck.problem.risk_answer_required');
      }
    });
  });
  return out;
}

/* ---------- problems ---------- */

export function parentPath(path) {
  const m = path.match(/^(.*)(\[\d+\]|\.[^.[\]]+)$/);
  return m ? m[1] : '';
}

export function showProblems(problems, title) {
  state.problems = problems;
  els.problemList.replaceChildren();
  if (!problems.length) {
    els.problems.hidden = true;
    decorate();
    return;
  }
  els.problemsTitle.textContent = title || t('studio.problems_title', { count: problems.length });
  for (const p of problems) {
    const plain = plainProblem(p);
    const where = plain.where ? h('span', { class: 'problem-where', text: `${plain.where}${t('studio.where_sep')}` }) : null;
    const item = state.deck && els.library.hidden
      ? h('button', { type: 'button', class: 'problem', 'data-path': p.path, onclick: () => focusPath(p.path) },
        where, h('span', { class: 'problem-message', text: plain.message }))
      : h('div', { class: 'problem', 'data-path': p.path }, where, h('span', { class: 'problem-message', text: plain.message }));
    els.problemList.append(h('li', {}, item));
  }
  $('#problems-hint').hidden = !(state.deck && els.library.hidden);
  els.problems.hidden = false;
  decorate();
  els.problems.focus({ preventScroll: true });
  els.problems.scrollIntoView({ block: 'nearest' });
}

/** Where a problem is and what to do, in words a trainer uses (not a JSON path). */
export function plainProblem(p) {
  const path = p.path || '';
  const deck = state.deck || {};
  const m = path.match(/^cards\[(\d+)\](?:\.questions\[(\d+)\])?(?:\.(\w+))?$/);
  const th = path.match(/^themes\[(\d+)\](?:\.(\w+))?$/);
  let where = '';
  let fieldName = '';
  let value;
  if (m) {
    const card = (deck.cards || [])[Number(m[1])] || {};
    const n = Number(m[1]) + 1;
    if (m[2] !== undefined) {
      where = t('studio.where.question', { q: Number(m[2]) + 1, n });
      value = ((card.questions || [])[Number(m[2])] || {})[m[3]];
    } else {
      where = card.title ? t('studio.where.card_titled', { n, title: card.title }) : t('studio.where.card', { n });
      value = m[3] ? card[m[3]] : card;
    }
    fieldName = m[3] || '';
  } else if (th) {
    where = t('studio.where.theme', { n: Number(th[1]) + 1 });
    fieldName = th[2] || '';
    value = ((deck.themes || [])[Number(th[1])] || {})[fieldName];
  } else if (path) {
    where = t('studio.where.deck');
    fieldName = path.replace(/\[.*$/, '');
    value = deck[fieldName];
  }
  const empty = value === undefined || value === null || (typeof value === 'string' && !value.trim());
  const todo = `studio.todo.${m && m[2] !== undefined ? 'question_' : ''}${fieldName}`;
  if (empty && fieldName && I18N[todo]) return { where, message: t(todo) };
  if (m && fieldName === 'criterion' && !CONFIG.criteria.includes(value)) {
    return { where, message: t('studio.todo.unknown_criterion', {
      criteria: CONFIG.criteria.map((c) => t(`criterion.${c}.label`)).join(', ') }) };
  }
  if (m && fieldName === 'theme' && !(deck.themes || []).some((x) => x && x.id === value)) {
    return { where, message: t('studio.todo.unknown_theme', { theme: str(value) }) };
  }
  const label = I18N[`studio.field.${fieldName}`];
  return { where: label ? `${where}, ${t(`studio.field.${fieldName}`)}` : where, message: p.message };
}

export function clearProblems() {
  if (state.problems.length) showProblems([]);
}

/** Marks the fields that have a problem (aria-invalid and the message under the field). */
export function decorate() {
  for (const el of els.editor.querySelectorAll('.field-error')) el.remove();
  for (const el of els.editor.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of els.editor.querySelectorAll('.has-problem')) el.classList.remove('has-problem');
  for (const p of state.problems) {
    const m = p.path.match(/^cards\[(\d+)\]/);
    if (m) {
      const row = els.cardList.querySelector(`[data-row="${m[1]}"]`);
      if (row) row.classList.add('has-problem');
    }
    const el = exactTarget(p.path);
    if (!el) continue;
    if (el.matches('input, select, textarea')) {
      el.setAttribute('aria-invalid', 'true');
      const msg = h('p', { class: 'field-error', text: plainProblem(p).message });
      el.closest('.field')?.append(msg);
    } else {
      el.classList.add('has-problem');
    }
  }
}

export function exactTarget(path) {
  if (!path) return null;
  return els.editor.querySelector(`[data-path="${CSS.escape(path)}"]`);
}

/** A click on a problem: open the card it is about, then focus the field (or its parent). */
export function focusPath(path) {
  const m = path.match(/^cards\[(\d+)\]/);
  if (m && Number(m[1]) < state.deck.cards.length && Number(m[1]) !== state.selected) {
    state.selected = Number(m[1]);
    renderCards();
  }
  if (!m && path !== 'cards') els.details.open = true;
  let target = null;
  for (let p = path; p && !target; p = parentPath(p)) target = exactTarget(p);
  target = target || (path.startsWith('cards') ? els.cardList : els.details);
  target.scrollIntoView({ block: 'center' });
  target.focus({ preventScroll: true });
  target.classList.remove('flash');
  void target.offsetWidth; // restart the animation
  target.classList.add('flash');
}

/* ---------- library ---------- */

export async function check({ quiet = false } = {}) {
  const local = localProblems(state.deck);
  if (local.length) {
    showProblems(local);
    return false;
  }
  const res = await api('POST', '/api/validate/deck', JSON.stringify(toFile(state.deck)));
  if (!res.ok) {
    showProblems(problemsOf(res));
    return false;
  }
  clearProblems();
  if (res.body.id_taken && state.savedId !== state.deck.id) {
    showProblems([{ path: 'id', message: t('error.deck_id_taken', { deck: state.deck.id }), code: 'deck_id_taken' }]);
    return false;
  }
  if (!quiet) say(t('studio.check_ok'), 'ok');
  return true;
}
