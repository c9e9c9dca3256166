// The card being edited as the game shows it, and how the deck covers the six criteria.
import { inkFor } from '../colors.js'; // the game's contrast rule
import { $, COLOR_RE, CONFIG, els, h, state, str, t } from './context.js';
import { cardsPerTheme, themeOf } from './editor.js';

/** The card as the game page shows it (same classes as static/js/views.js), never as HTML. */
export function renderPreview() {
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

export function renderCoverage() {
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
