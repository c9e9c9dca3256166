/* ExplorIA en ligne — the deck studio.
 *
 * One page, two views: the library (list, create, duplicate, import) and the editor (metadata,
 * themes, cards, questions, live preview, coverage), each in its module under studio/. The deck
 * being edited is a plain object in the file format of CONTRACT.md §1; the server validates it
 * (POST /api/validate/deck, POST and PUT /api/decks) and is the authority. Every text from a
 * deck is put in the page with textContent or input values, never parsed as HTML.
 */
import { check, showProblems } from './studio/checks.js';
import { $, LANG, els, state } from './studio/context.js';
import { deckTokens } from './storage.js';
import { loadSchema } from './studio/schema.js';
import { addCard, copyLink, exportDeck, playCurrent, save } from './studio/edits.js';
import { deleteDeck, importFile, loadDecks, newDeck, openDeck, play, showLibrary } from './studio/library.js';

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
    deckTokens.set(deckId, token);
    history.replaceState(null, '', `/studio?deck=${encodeURIComponent(deckId)}&lang=${LANG}`);
  }
  await loadSchema();
  await loadDecks();
  if (deckId) await openDeck(deckId);
  document.body.dataset.studioReady = 'true';
}

init();
