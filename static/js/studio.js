/* ExplorIA en ligne — the deck studio.
 *
 * One page, two views: the library (list, create, duplicate, import) and the editor (metadata,
 * themes, cards, questions, live preview, coverage). The deck being edited is a plain object in
 * the file format of CONTRACT.md §1; the server validates it (POST /api/validate/deck, POST and
 * PUT /api/decks) and is the authority. Every text from a deck is put in the page with
 * textContent or input values, never parsed as HTML.
 */
import { inkFor } from './colors.js'; // the game's contrast rule, for the card preview
import { formatMessage } from './i18n.js';

(() => {
  'use strict';

  const $ = (sel, root = document) => root.querySelector(sel);
  const I18N = JSON.parse($('#studio-i18n').textContent);
  const CONFIG = JSON.parse($('#studio-config').textContent);
  const LANG = document.documentElement.lang === 'en' ? 'en' : 'fr';
  const DECK_ID_RE = /^[a-z0-9-]{3,64}$/;
  const LOCAL_ID_RE = /^[A-Za-z0-9_.-]{1,64}$/;
  const COLOR_RE = /^#[0-9a-fA-F]{6}$/;
  const TOKEN_KEY = (id) => `exploria:deck-token:${id}`;
  const DEFAULT_COLORS = ['#2a6f97', '#6a4c93', '#1b7f5b', '#b5452b', '#8a6d00', '#3d5a80', '#9c2f6b'];

  /* ---------- small helpers ---------- */

  // the game's message format (plurals, elision): static/js/i18n.js
  function t(key, params = {}) {
    return formatMessage(LANG, I18N[key] ?? key, params);
  }

  /** An element: attributes (text, class, on…, data-…) then children (nodes or text). */
  function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') el.textContent = v;
      else if (k === 'class') el.className = v;
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  const store = {
    get(key) { try { return window.localStorage.getItem(key); } catch { return null; } },
    set(key, value) { try { window.localStorage.setItem(key, value); } catch { /* private mode */ } },
    remove(key) { try { window.localStorage.removeItem(key); } catch { /* private mode */ } },
  };

  const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const str = (v) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
  const clone = (v) => JSON.parse(JSON.stringify(v));

  function uniqueId(base, taken, max = 64) {
    const root = base.slice(0, max - 4);
    if (!taken.has(root)) return root;
    for (let n = 2; ; n += 1) if (!taken.has(`${root}-${n}`)) return `${root}-${n}`;
  }

  function withLang(url) {
    return url + (url.includes('?') ? '&' : '?') + 'lang=' + LANG;
  }

  /** fetch, always answering {ok, status, body}; body is JSON when the server sent JSON. */
  async function api(method, url, body, token) {
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
  function problemsOf(res) {
    const body = res.body || {};
    if (Array.isArray(body.errors) && body.errors.length) {
      return body.errors.map((e) => ({ path: str(e.path), message: str(e.message), code: e.code || '' }));
    }
    const err = body.error || {};
    const path = err.code === 'deck_id_taken' ? 'id' : '';
    return [{ path, message: err.message || t('studio.http_error', { status: res.status }), code: err.code || '' }];
  }

  /* ---------- state ---------- */

  const state = {
    decks: [],        // GET /api/decks
    deck: null,       // the deck being edited, in the file format
    savedId: null,    // its id on the server once saved by us (then PUT with the token)
    token: null,      // the edit token of savedId
    selected: 0,      // index of the card open in the card editor
    dirty: false,
    problems: [],     // [{path, message}] shown in the problems panel and on the fields
  };

  const els = {
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

  let statusTimer = null;
  function say(message, kind = 'info') {
    els.status.textContent = message;
    els.status.className = `studio-status ${kind}`;
    els.status.hidden = false;
    clearTimeout(statusTimer);
    statusTimer = setTimeout(() => { els.status.hidden = true; }, kind === 'error' ? 12000 : 6000);
  }

  /* ---------- the deck as a file ---------- */

  /** Lists and objects where the editor expects them, so a broken import can still be edited. */
  function editable(data) {
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
  function toFile(deck) {
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
  function localProblems(deck) {
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

  function parentPath(path) {
    const m = path.match(/^(.*)(\[\d+\]|\.[^.[\]]+)$/);
    return m ? m[1] : '';
  }

  function showProblems(problems, title) {
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
  function plainProblem(p) {
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

  function clearProblems() {
    if (state.problems.length) showProblems([]);
  }

  /** Marks the fields that have a problem (aria-invalid and the message under the field). */
  function decorate() {
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

  function exactTarget(path) {
    if (!path) return null;
    return els.editor.querySelector(`[data-path="${CSS.escape(path)}"]`);
  }

  /** A click on a problem: open the card it is about, then focus the field (or its parent). */
  function focusPath(path) {
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

  async function loadDecks() {
    const res = await api('GET', '/api/decks');
    state.decks = res.ok && Array.isArray(res.body) ? res.body : [];
    renderLibrary();
  }

  function renderLibrary() {
    els.builtinList.replaceChildren();
    els.customList.replaceChildren();
    for (const info of state.decks) {
      const mine = !info.builtin && store.get(TOKEN_KEY(info.id));
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

  function showLibrary() {
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

  function takenIds() {
    return new Set(state.decks.map((d) => d.id));
  }

  function newDeck() {
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

  function blankCard(themeId, taken) {
    return {
      id: uniqueId('c1', taken).replace(/^c1-(\d+)$/, 'c$1'),
      theme: themeId,
      title: t('studio.new_card_title'),
      situation: '',
      questions: [{ id: 'q1', kind: 'yes_no', text: '', criterion: '', risk_answer: '' }],
    };
  }

  /** Opens a stored deck: to edit it when we hold its token, else as a copy with a new id. */
  async function openDeck(id) {
    const res = await api('GET', `/api/decks/${encodeURIComponent(id)}`);
    if (!res.ok) {
      say(problemsOf(res)[0].message, 'error');
      return;
    }
    const info = state.decks.find((d) => d.id === id);
    const token = store.get(TOKEN_KEY(id));
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

  function startEditing(deck, { savedId, token }) {
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

  function jsonErrorMessage(err, text) {
    const m = /position (\d+)/.exec(String(err && err.message));
    if (!m) return t('error.bad_json');
    const before = text.slice(0, Number(m[1])).split('\n');
    return t('error.bad_json_at', { line: before.length, column: before[before.length - 1].length + 1 });
  }

  async function importFile(file) {
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
    const token = DECK_ID_RE.test(id) ? store.get(TOKEN_KEY(id)) : null;
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

  function showLibraryQuietly() {
    if (!els.library.hidden) return;
    state.deck = null;
    state.dirty = false;
    els.editor.hidden = true;
    els.library.hidden = false;
  }

  /* ---------- editor: rendering ---------- */

  let uid = 0;
  function field(label, control, { hint, wide, path } = {}) {
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
  function textControl(obj, key, { multiline = false, max = CONFIG.max_text, rows = 3, placeholder, after, readonly } = {}) {
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

  function selectControl(obj, key, options, { after } = {}) {
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

  const ICONS = {
    up: 'M12 19V5M5 12l7-7 7 7',
    down: 'M12 5v14M19 12l-7 7-7-7',
    copy: 'M9 9h11v11H9zM5 15H4V4h11v1',
    delete: 'M6 6l12 12M18 6L6 18',
  };

  function icon(name) {
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

  function actionButton(name, label, onclick, { disabled = false, cls = '' } = {}) {
    return h('button', { type: 'button', class: `icon-btn ${cls}`.trim(), 'aria-label': label, title: label,
      onclick, disabled }, icon(name));
  }

  function renderEditor() {
    renderHeader();
    renderMeta();
    renderThemes();
    renderCards();
    renderLink();
  }

  function renderHeader() {
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

  function renderMeta() {
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

  function cardsPerTheme() {
    const counts = new Map();
    for (const card of state.deck.cards) counts.set(card.theme, (counts.get(card.theme) || 0) + 1);
    return counts;
  }

  function renderThemes() {
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

  function renderThemeUses() {
    renderCardList();
    renderCardEditorThemeOptions();
    renderPreview();
    renderCoverage();
  }

  function themeOf(card) {
    return state.deck.themes.find((th) => th.id === card.theme) || null;
  }

  function renderCards() {
    renderCardList();
    renderCardEditor();
    renderPreview();
    renderCoverage();
    decorate();
  }

  function renderCardList() {
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

  function themeOptions() {
    return state.deck.themes.map((th) => [str(th.id), str(th.title) || str(th.id)]);
  }

  function renderCardEditorThemeOptions() {
    const select = els.cardEditor.querySelector('select.st-card-theme');
    const card = state.deck.cards[state.selected];
    if (!select || !card) return;
    const fresh = selectControl(card, 'theme', themeOptions(), { after: renderThemeUses });
    fresh.id = select.id;
    fresh.className = select.className;
    fresh.dataset.path = select.dataset.path;
    select.replaceWith(fresh);
  }

  function renderCardEditor() {
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

  function renderQuestion(card, q, i, j) {
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

  function rerenderCardEditor(focusSelector) {
    renderCardEditor();
    decorate();
    if (focusSelector) els.cardEditor.querySelector(focusSelector)?.focus();
  }

  /** The card as the game page shows it (same classes as static/js/views.js), never as HTML. */
  function renderPreview() {
    const deck = state.deck;
    const card = deck.cards[state.selected];
    if (!card) {
      els.preview.replaceChildren(h('p', { class: 'muted', text: t('studio.no_cards') }));
      return;
    }
    const theme = themeOf(card);
    const color = theme && COLOR_RE.test(str(theme.color)) ? theme.color : '#4a5566';
    const head = h('header', { class: 'card-theme' },
      h('span', { text: theme ? str(theme.title) : str(card.theme) }),
      h('span', { class: 'st-card-of', text: t('studio.card_of', { n: state.selected + 1, total: deck.cards.length }) }));
    head.style.backgroundColor = color;
    head.style.color = inkFor(color);
    const tip = str(card.facilitator_tip);
    const questions = h('ol', { class: 'questions' }, card.questions.map((q, i) => {
      const parts = [h('p', { class: 'q-text' }, h('span', { class: 'q-num', text: `${i + 1}. ` }),
        str(q.text) || t('studio.empty_question'))];
      if (q.criterion && CONFIG.criteria.includes(q.criterion)) {
        parts.push(h('p', { class: 'q-criterion', text: t('studio.preview_criterion', { criterion: t(`criterion.${q.criterion}.label`) }) }));
      }
      if (q.kind === 'yes_no') {
        parts.push(h('div', { class: 'st-votes', 'aria-hidden': 'true' },
          ['yes', 'no', 'unsure'].map((v) => h('span', { class: `st-vote st-vote-${v}`, text: t(`answer.${v}`) }))));
      } else {
        parts.push(h('div', { class: 'st-open-answer', 'aria-hidden': 'true', text: t('studio.preview_open_answer') }));
      }
      return h('li', { class: `question kind-${str(q.kind)}` }, parts);
    }));
    const article = h('article', { class: 'game-card st-preview-card', 'aria-label': t('studio.preview') },
      head,
      h('div', { class: 'card-body' },
        h('h2', { class: 'st-preview-title', text: str(card.title) || t('studio.untitled_card') }),
        str(card.situation) ? h('p', { class: 'situation st-pre', text: str(card.situation) }) : null,
        tip ? h('p', { class: 'tip st-pre' }, h('strong', { text: `${t('studio.tip_label')} ` }), tip) : null,
        questions));
    article.style.setProperty('--theme', color);
    els.preview.replaceChildren(article);
  }

  function renderCoverage() {
    const deck = state.deck;
    const perCriterion = Object.fromEntries(CONFIG.criteria.map((c) => [c, 0]));
    let yesNo = 0;
    let open = 0;
    for (const card of deck.cards) {
      for (const q of card.questions) {
        if (q.kind === 'yes_no') {
          yesNo += 1;
          if (q.criterion in perCriterion) perCriterion[q.criterion] += 1;
        } else open += 1;
      }
    }
    const most = Math.max(1, ...Object.values(perCriterion));
    const missing = CONFIG.criteria.filter((c) => perCriterion[c] === 0);
    const groups = Object.entries(CONFIG.dimensions).map(([dim, ids]) => h('li', { class: 'st-dimension' },
      h('p', { class: 'dimension-name', text: t(`dimension.${dim}`) }),
      h('ul', { class: 'criterion-bars' }, ids.map((c) => {
        const count = perCriterion[c];
        const bar = h('span', { class: 'st-bar-fill' });
        bar.style.width = `${Math.round((count / most) * 100)}%`;
        return h('li', { class: count ? 'criterion-row' : 'criterion-row warn', 'data-criterion': c },
          h('span', { class: 'criterion-name', text: t(`criterion.${c}.label`) }),
          h('span', { class: 'st-bar', 'aria-hidden': 'true' }, bar),
          h('span', { class: 'criterion-count', text: t('studio.question_count_short', { count }) }));
      }))));
    const counts = cardsPerTheme();
    const themes = h('ul', { class: 'theme-coverage' }, deck.themes.map((th) => {
      const count = counts.get(th.id) || 0;
      const sw = h('span', { class: 'swatch', 'aria-hidden': 'true' });
      if (COLOR_RE.test(str(th.color))) sw.style.backgroundColor = th.color;
      return h('li', { class: count ? '' : 'warn' }, sw, h('span', { class: 'theme-name', text: str(th.title) || str(th.id) }),
        h('span', { class: 'theme-num', text: t('studio.card_count', { count }) }));
    }));
    els.coverage.replaceChildren(
      h('p', { class: 'coverage-totals', text: [t('studio.coverage_cards', { count: deck.cards.length }),
        t('studio.coverage_yes_no', { count: yesNo }), t('studio.coverage_open', { count: open })].join(' · ') }),
      h('h3', { text: t('studio.coverage_criteria') }),
      h('ul', { class: 'dimensions' }, groups),
      missing.length
        ? h('p', { class: 'coverage-warning', role: 'note', id: 'coverage-warning' },
          t('studio.coverage_missing', { criteria: missing.map((c) => t(`criterion.${c}.label`)).join(', ') }))
        : h('p', { class: 'coverage-ok', text: t('studio.coverage_all') }),
      h('h3', { text: t('studio.coverage_themes') }),
      themes);
  }

  function renderLink() {
    if (!(state.savedId && state.token)) {
      els.editLink.hidden = true;
      return;
    }
    els.editLinkUrl.value = editUrl(state.savedId, state.token);
    els.editLink.hidden = false;
  }

  function editUrl(id, token) {
    return `${location.origin}/studio?deck=${encodeURIComponent(id)}#${token}`;
  }

  /* ---------- editor: changes ---------- */

  let refreshPending = false;
  function changed() {
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

  function updateSelectedRow() {
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
  function structureChanged() {
    state.dirty = true;
    clearProblems();
    renderHeader();
  }

  function selectCard(i) {
    state.selected = i;
    renderCards();
    els.cardEditor.querySelector('input, textarea')?.focus();
  }

  function focusRowAction(i, kind) {
    const row = els.cardList.querySelector(`[data-row="${i}"]`);
    if (!row) return;
    const buttons = row.querySelectorAll('.row-actions button');
    const wanted = kind === 'up' ? buttons[0] : kind === 'down' ? buttons[1] : null;
    const target = wanted && !wanted.disabled ? wanted : row.querySelector('.card-pick');
    target.focus();
  }

  function moveCard(i, delta, kind) {
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

  function duplicateCard(i) {
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

  function deleteCard(i) {
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

  function addCard() {
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

  function addQuestion(kind) {
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

  function moveQuestion(j, delta, kind) {
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

  function deleteQuestion(j) {
    const qs = state.deck.cards[state.selected].questions;
    if (str(qs[j].text) && !window.confirm(t('studio.confirm_delete_question', { n: j + 1 }))) return;
    qs.splice(j, 1);
    structureChanged();
    renderCards();
    els.cardEditor.querySelector('.st-question textarea')?.focus();
  }

  function addTheme() {
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

  function deleteTheme(i) {
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

  async function check({ quiet = false } = {}) {
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

  async function save() {
    const local = localProblems(state.deck);
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
      store.set(TOKEN_KEY(state.savedId), state.token);
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

  async function loadDecksQuietly() {
    const res = await api('GET', '/api/decks');
    if (res.ok && Array.isArray(res.body)) state.decks = res.body;
  }

  function exportDeck() {
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

  /** A session on a deck goes through the home page's options (cards, duration, framing…). */
  function play(deckId) {
    // mine=: a custom deck is listed on the home page even without this browser's deck cookie
    window.location.assign(`/?lang=${LANG}&deck=${encodeURIComponent(deckId)}&mine=${encodeURIComponent(deckId)}#create-heading`);
  }

  async function playCurrent() {
    if (!state.savedId || state.dirty) {
      say(t('studio.saving_before_play'));
      if (!(await save())) return;
    }
    state.dirty = false;
    await play(state.savedId);
  }

  async function deleteDeck() {
    if (!(state.savedId && state.token)) return;
    if (!window.confirm(t('studio.confirm_delete_deck', { title: str(state.deck.title) }))) return;
    const res = await api('DELETE', `/api/decks/${encodeURIComponent(state.savedId)}`, undefined, state.token);
    if (!res.ok) {
      say(problemsOf(res)[0].message, 'error');
      return;
    }
    store.remove(TOKEN_KEY(state.savedId));
    state.dirty = false;
    showLibrary();
    say(t('studio.deleted_deck'), 'ok');
  }

  async function copyLink() {
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

  function wire() {
    $('#new-deck').addEventListener('click', newDeck);
    els.importFile.addEventListener('change', () => {
      const file = els.importFile.files[0];
      els.importFile.value = '';
      importFile(file);
    });
    $('#import-label').addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); els.importFile.click(); }
    });
    $('#import-label').tabIndex = 0;
    $('#problems-close').addEventListener('click', () => showProblems([]));
    $('#back').addEventListener('click', showLibrary);
    $('#check').addEventListener('click', () => check());
    $('#save').addEventListener('click', save);
    $('#export').addEventListener('click', exportDeck);
    $('#play').addEventListener('click', playCurrent);
    $('#add-card').addEventListener('click', addCard);
    $('#edit-link-copy').addEventListener('click', copyLink);
    els.deleteDeck.addEventListener('click', deleteDeck);
    els.dropzone.tabIndex = 0;
    els.dropzone.setAttribute('role', 'button');
    els.dropzone.addEventListener('click', () => els.importFile.click());
    els.dropzone.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); els.importFile.click(); }
    });

    // drag and drop anywhere on the page
    let depth = 0;
    const hasFiles = (e) => Array.from(e.dataTransfer?.types || []).includes('Files');
    document.addEventListener('dragenter', (e) => {
      if (!hasFiles(e)) return;
      depth += 1;
      els.overlay.hidden = false;
    });
    document.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (!depth) els.overlay.hidden = true;
    });
    document.addEventListener('dragover', (e) => { if (hasFiles(e)) e.preventDefault(); });
    document.addEventListener('drop', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      els.overlay.hidden = true;
      importFile(e.dataTransfer.files[0]);
    });

    window.addEventListener('beforeunload', (e) => {
      if (state.deck && state.dirty) { e.preventDefault(); e.returnValue = ''; }
    });
  }

  async function init() {
    wire();
    const params = new URLSearchParams(location.search);
    const deckId = params.get('deck');
    const token = location.hash.length > 1 ? decodeURIComponent(location.hash.slice(1)) : '';
    if (deckId && token) {
      // the secret edit link: keep the token, then take it out of the address bar
      store.set(TOKEN_KEY(deckId), token);
      history.replaceState(null, '', `/studio?deck=${encodeURIComponent(deckId)}&lang=${LANG}`);
    }
    await loadDecks();
    if (deckId) await openDeck(deckId);
    document.body.dataset.studioReady = 'true';
  }

  init();
})();
