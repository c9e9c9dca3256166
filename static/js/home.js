// Home page: start a session on a deck, or join one with its code.
import { i18n, lang } from "./i18n.js";
import { el, readJson, showError } from "./dom.js";
import { seats } from "./storage.js";

const decks = readJson("decks", []);
const createForm = document.getElementById("create-form");
const joinForm = document.getElementById("join-form");
const createError = document.getElementById("create-error");
const joinError = document.getElementById("join-error");
const createButton = document.getElementById("create-button");

// Minutes a card takes in a session (reading, answering, discussing) and the time around them
// (welcome, framing, synthesis): the estimate shown next to the number of cards.
const MINUTES_PER_CARD = 8;
const MINUTES_AROUND = 15;
const sectorsByDeck = {}; // deck id → [sector ids] from its cards (GET /api/decks/{id})
const placedByDeck = {}; // deck id → its opening and closing cards (dealt in every session)
const MINUTES_PER_PLACED_CARD = 5;

function selectedDeck() {
  const input = createForm.querySelector('input[name="deck"]:checked');
  return decks.find((d) => d.id === (input && input.value)) || null;
}

function checkedThemes(deck) {
  const box = deck && createForm.querySelector(`.theme-choice[data-deck="${CSS.escape(deck.id)}"]`);
  return box ? [...box.querySelectorAll("input:checked")].map((i) => i.value) : [];
}

function checkedSectors() {
  return [...document.querySelectorAll('#sector-list input:checked')].map((i) => i.value);
}

function available(deck) {
  const themes = checkedThemes(deck);
  if (!themes.length) return deck.card_count - (placedByDeck[deck.id] || 0);
  return deck.themes.filter((t) => themes.includes(t.id)).reduce((n, t) => n + t.card_count, 0);
}

function formatDuration(minutes) {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (!h) return i18n("ui.home.duration_minutes", { minutes: m });
  return i18n("ui.home.duration_hours", { hours: h, minutes: String(m).padStart(2, "0") });
}

let lastDeck = null;

function syncOptions() {
  const deck = selectedDeck();
  for (const box of createForm.querySelectorAll(".theme-choice")) {
    box.hidden = !deck || box.dataset.deck !== deck.id || deck.themes.length < 2;
  }
  const count = document.getElementById("opt-count");
  const duration = document.getElementById("duration");
  if (!deck) return;
  const max = available(deck);
  count.max = String(max);
  if (lastDeck !== deck.id) {
    // a new deck: all its cards when they are few, else a 90-minute session
    count.value = String(Math.min(max, 9));
    lastDeck = deck.id;
    loadSectors(deck);
  }
  if (Number(count.value) > max) count.value = String(max);
  const n = Math.max(1, Math.min(max, Number(count.value) || 1));
  const placed = placedByDeck[deck.id] || 0;
  const minutes = n * MINUTES_PER_CARD + placed * MINUTES_PER_PLACED_CARD + MINUTES_AROUND;
  duration.textContent = [i18n("ui.home.count_of", { count: n, total: max }),
    placed ? i18n("ui.home.plus_placed", { count: placed }) : null,
    i18n("ui.home.duration", { duration: formatDuration(minutes) })].filter(Boolean).join(" · ");
}

// The sectors of a deck's cards, for the sector picker (only decks whose cards carry them).
async function loadSectors(deck) {
  const box = document.getElementById("sector-choice");
  const list = document.getElementById("sector-list");
  if (!(deck.id in sectorsByDeck)) {
    try {
      const response = await fetch(`/api/decks/${encodeURIComponent(deck.id)}`);
      const body = response.ok ? await response.json() : {};
      const found = new Set();
      for (const card of body.cards || []) for (const s of card.sectors || []) found.add(String(s));
      sectorsByDeck[deck.id] = [...found];
      placedByDeck[deck.id] = (body.cards || []).filter((c) => c.place === "first" || c.place === "last").length;
    } catch {
      sectorsByDeck[deck.id] = [];
    }
  }
  if (selectedDeck() !== deck) return;
  syncOptions(); // the opening and closing cards are known now
  const sectors = sectorsByDeck[deck.id];
  box.hidden = !sectors.length;
  list.replaceChildren(...sectors.map((id) => {
    const key = `sector.${id}`;
    const label = i18n(key) === key ? id : i18n(key);
    return el("label", { class: "check" }, el("input", { type: "checkbox", name: "sectors", value: id }), el("span", {}, label));
  }).sort((a, b) => a.textContent.localeCompare(b.textContent)));
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body.errors && body.errors.length) return body.errors[0].message;
    if (body.error && body.error.message) return body.error.message;
  } catch {
    /* not JSON */
  }
  return i18n("ui.error.generic");
}

const value = (id) => document.getElementById(id).value.trim();

createForm.addEventListener("change", syncOptions);
createForm.addEventListener("input", (event) => {
  if (event.target.id === "opt-count") syncOptions();
});
createForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (createButton.disabled) return; // already on its way
  showError(createError, "");
  const deck = selectedDeck();
  if (!deck) {
    showError(createError, i18n("ui.home.pick_deck"));
    return;
  }
  const settings = {
    anonymous: document.getElementById("opt-anonymous").checked,
    timer_minutes: Number(document.getElementById("opt-timer").value),
  };
  const name = value("opt-name");
  if (name) settings.facilitator_name = name;
  const themes = checkedThemes(deck);
  const max = available(deck);
  const n = Number(document.getElementById("opt-count").value);
  if (!Number.isInteger(n) || n < 1) {
    showError(createError, i18n("ui.home.bad_count"));
    document.getElementById("opt-count").focus();
    return;
  }
  if (themes.length) {
    settings.selection = "themes";
    settings.themes = themes;
  } else if (n < max) {
    settings.selection = "random";
    settings.card_count = n;
  } else {
    settings.selection = "all";
  }
  // framing and quorum: sent only when set, so a server without them still accepts the room
  const framing = { title: value("opt-title"), organisation: value("opt-org") };
  for (const [key, text] of Object.entries(framing)) if (text) settings[key] = text;
  const size = value("opt-size");
  if (size) settings.company_size = size;
  const system = { name: value("opt-ai-name"), purpose: value("opt-ai-purpose"), users: value("opt-ai-users"), stage: value("opt-ai-stage") || null };
  if (system.name || system.purpose || system.users || system.stage) settings.ai_system = system;
  const percent = Number(value("opt-quorum-percent"));
  const least = Number(value("opt-quorum-min"));
  if (percent !== 50 && Number.isInteger(percent)) settings.quorum_percent = percent;
  if (least !== 2 && Number.isInteger(least)) settings.quorum_min = least;
  const sectors = checkedSectors();
  if (sectors.length) settings.sectors = sectors;
  createButton.disabled = true;
  try {
    const response = await fetch(`/api/rooms?lang=${lang}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ deck_id: deck.id, settings }),
    });
    if (!response.ok) {
      showError(createError, await errorMessage(response));
      createButton.disabled = false;
      return;
    }
    const room = await response.json();
    seats.setFacilitator(room.code, room.facilitator_token);
    window.location.assign(`/r/${encodeURIComponent(room.code)}`);
  } catch {
    showError(createError, i18n("ui.error.network"));
    createButton.disabled = false;
  }
});

joinForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.getElementById("join-code");
  const code = input.value.replace(/\s+/g, "").toUpperCase();
  showError(joinError, "");
  input.removeAttribute("aria-invalid");
  if (!/^[A-Z0-9]{6}$/.test(code)) {
    showError(joinError, i18n("ui.home.bad_code"));
    input.setAttribute("aria-invalid", "true");
    input.focus();
    return;
  }
  try {
    const response = await fetch(`/api/rooms/${encodeURIComponent(code)}?lang=${lang}`);
    if (!response.ok) {
      showError(joinError, await errorMessage(response));
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    window.location.assign(`/r/${encodeURIComponent(code)}`);
  } catch {
    showError(joinError, i18n("ui.error.network"));
  }
});

// Coming from the studio (/?deck=ID): that deck is chosen, the options are the same as here.
function preselect() {
  const wanted = new URLSearchParams(window.location.search).get("deck");
  if (!wanted) return;
  const input = [...createForm.querySelectorAll('input[name="deck"]')].find((i) => i.value === wanted);
  if (!input) return;
  input.checked = true;
  const folded = input.closest("details");
  if (folded) folded.open = true;
  document.getElementById("create-heading").scrollIntoView({ block: "start" });
  input.focus({ preventScroll: true });
}

preselect();
syncOptions();
