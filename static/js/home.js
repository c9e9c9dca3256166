// Home page: start a session on a deck, or join one with its code.
import { i18n, lang } from "./i18n.js";
import { readJson, showError } from "./dom.js";
import { seats } from "./storage.js";

const decks = readJson("decks", []);
const createForm = document.getElementById("create-form");
const joinForm = document.getElementById("join-form");
const createError = document.getElementById("create-error");
const joinError = document.getElementById("join-error");
const createButton = document.getElementById("create-button");

function selectedDeck() {
  const input = createForm.querySelector('input[name="deck"]:checked');
  return decks.find((d) => d.id === (input && input.value)) || null;
}

function selection() {
  const input = createForm.querySelector('input[name="selection"]:checked');
  return input ? input.value : "all";
}

function syncOptions() {
  const deck = selectedDeck();
  const mode = selection();
  document.getElementById("random-count").hidden = mode !== "random";
  for (const box of createForm.querySelectorAll(".theme-choice")) {
    box.hidden = mode !== "themes" || !deck || box.dataset.deck !== deck.id;
  }
  const count = document.getElementById("opt-count");
  if (deck) {
    count.max = String(deck.card_count);
    if (Number(count.value) > deck.card_count) count.value = String(deck.card_count);
  }
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

createForm.addEventListener("change", syncOptions);
createForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(createError, "");
  const deck = selectedDeck();
  if (!deck) {
    showError(createError, i18n("ui.home.pick_deck"));
    return;
  }
  const settings = {
    anonymous: document.getElementById("opt-anonymous").checked,
    selection: selection(),
    timer_minutes: Number(document.getElementById("opt-timer").value),
  };
  const name = document.getElementById("opt-name").value.trim();
  if (name) settings.facilitator_name = name;
  if (settings.selection === "random") {
    const n = Number(document.getElementById("opt-count").value);
    if (!Number.isInteger(n) || n < 1) {
      showError(createError, i18n("ui.home.bad_count"));
      return;
    }
    settings.card_count = Math.min(n, deck.card_count);
  }
  if (settings.selection === "themes") {
    const box = createForm.querySelector(`.theme-choice[data-deck="${CSS.escape(deck.id)}"]`);
    settings.themes = [...box.querySelectorAll("input:checked")].map((i) => i.value);
    if (!settings.themes.length) {
      showError(createError, i18n("ui.home.pick_theme"));
      return;
    }
  }
  createButton.disabled = true;
  try {
    const response = await fetch(`/api/rooms?lang=${lang}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ deck_id: deck.id, settings }),
    });
    if (!response.ok) {
      showError(createError, await errorMessage(response));
      return;
    }
    const room = await response.json();
    seats.setFacilitator(room.code, room.facilitator_token);
    window.location.assign(`/r/${encodeURIComponent(room.code)}`);
  } catch {
    showError(createError, i18n("ui.error.network"));
  } finally {
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

syncOptions();
