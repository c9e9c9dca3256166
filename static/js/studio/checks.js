// The deck as a file, the checks made before a round trip, and the problems panel.
import { $, CONFIG, I18N, api, clone, els, h, isObj, problemsOf, say, state, str, t } from './context.js';
import { renderCards } from './editor.js';
import { schemaProblems } from './schema.js';

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

/** Cheap checks before a round trip, from the deck's JSON Schema (schema.js); the server
 * repeats them all and the rules across fields. */
export function localProblems(deck) {
  return schemaProblems(toFile(deck), (path, code, params) => {
    const [key, message] = problemText(path, code, params);
    return { path, message, code: key };
  });
}

/** The local problems, completed by the server's rules across fields (duplicate ids, unknown
 * themes, a criterion for a yes/no question) so that one pass shows everything to fix. */
export async function problemsBeforeSaving(deck) {
  const local = localProblems(deck);
  if (!local.length) return local;
  const res = await api('POST', '/api/validate/deck', JSON.stringify(toFile(deck)));
  if (res.ok || !Array.isArray(res.body?.errors)) return local;
  const seen = new Set(local.map((p) => p.path));
  const all = [...local, ...problemsOf(res).filter((p) => !seen.has(p.path))];
  return all.sort((a, b) => compareOwners(ownerOf(a.path), ownerOf(b.path))); // stable: per item
}

/** What a problem is about, in document order: "cards[1].questions[0].text" → [cards, 1, questions, 0]. */
function ownerOf(path) {
  return path.replace(/\.\w+$/, '').split(/[[\].]+/).filter(Boolean)
    .map((x) => (/^\d+$/.test(x) ? Number(x) : x));
}

function compareOwners(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    if (a[i] === b[i]) continue;
    return typeof a[i] === 'number' && typeof b[i] === 'number' ? a[i] - b[i] : String(a[i]).localeCompare(String(b[i]));
  }
  return a.length - b.length;
}

function problemText(path, code, params) {
  switch (code) {
    case 'too_long': return ['deck.problem.too_long', t('deck.problem.too_long', params)];
    case 'too_few': return ['deck.problem.too_few', t('deck.problem.too_few', params)];
    case 'too_many': return ['deck.problem.too_many', t('deck.problem.too_many', params)];
    case 'pattern':
      if (path === 'id') return ['deck.problem.bad_deck_id', t('deck.problem.bad_deck_id')];
      if (path.endsWith('.color')) return ['deck.problem.bad_color', t('deck.problem.bad_color')];
      return ['deck.problem.bad_id', t('deck.problem.bad_id')];
    default: return ['studio.problem.empty', t('studio.problem.empty')];
  }
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
  const local = await problemsBeforeSaving(state.deck);
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
