// The follow-up page (/follow-up, issue 16): start a session that follows up an earlier one,
// from its summary's link (pasted, or handed over by the report's button in the fragment
// #code=…&token=…) or from its summary JSON file. POST /api/rooms with "follows"
// (docs/protocol.md, HTTP); the framing of the earlier session (organisation, AI system,
// company size) is carried over when its summary can be read here.
import { i18n, lang } from "./i18n.js";
import { showError } from "./dom.js";
import { seats } from "./storage.js";

const form = document.getElementById("followup-form");
const linkInput = document.getElementById("followup-link");
const fileInput = document.getElementById("followup-file");
const deckSelect = document.getElementById("followup-deck");
const titleInput = document.getElementById("followup-title");
const errorNode = document.getElementById("followup-error");
const button = document.getElementById("followup-create");

let imported = null; // the summary JSON chosen as a file
let earlier = null; // the earlier summary, when it could be read (to carry the framing over)

function adopt(summary) {
  earlier = summary;
  const deckId = summary && summary.session && summary.session.deck && summary.session.deck.id;
  if (deckId && [...deckSelect.options].some((o) => o.value === deckId)) deckSelect.value = deckId;
  const title = summary && summary.session ? summary.session.title : "";
  if (title && !titleInput.value) titleInput.value = title;
}

async function readLink(link) {
  const match = /\/r\/([A-Za-z0-9]{6})\/report\?(?:.*&)?token=([A-Za-z0-9_-]+)/.exec(link);
  if (!match) return;
  try {
    const response = await fetch(`/api/rooms/${match[1]}/summary.json?token=${encodeURIComponent(match[2])}`);
    if (response.ok) adopt(await response.json());
  } catch {
    /* the server says why when the session is created */
  }
}

function fromFragment() {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const code = params.get("code");
  const token = params.get("token");
  if (window.location.hash) window.history.replaceState(null, "", window.location.pathname + window.location.search);
  if (code && token) {
    linkInput.value = `${window.location.origin}/r/${code}/report?token=${token}`;
    readLink(linkInput.value);
  }
}

linkInput.addEventListener("change", () => readLink(linkInput.value.trim()));

fileInput.addEventListener("change", async () => {
  imported = null;
  showError(errorNode, "");
  const file = fileInput.files && fileInput.files[0];
  if (!file) return;
  try {
    imported = JSON.parse(await file.text());
    adopt(imported);
  } catch {
    showError(errorNode, i18n("ui.followup.bad_file"));
  }
});

async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body.error && body.error.message) return body.error.message;
  } catch {
    /* not JSON */
  }
  return i18n("ui.error.generic");
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(errorNode, "");
  const link = linkInput.value.trim();
  let follows = null;
  if (imported) follows = { summary: imported };
  else if (link) follows = { link };
  if (!follows) {
    showError(errorNode, i18n("ui.followup.need_source"));
    return;
  }
  const settings = { title: titleInput.value.trim() };
  const session = earlier && earlier.session;
  if (session) {
    settings.organisation = session.organisation || "";
    if (session.company_size) settings.company_size = session.company_size;
    if (session.ai_system) {
      const { name, purpose, users, stage } = session.ai_system;
      settings.ai_system = { name, purpose, users, stage };
    }
    if (session.language === "fr" || session.language === "en") settings.language = session.language;
  }
  button.disabled = true;
  try {
    const response = await fetch(`/api/rooms?lang=${lang}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": lang },
      body: JSON.stringify({ deck_id: deckSelect.value, settings, follows }),
    });
    if (!response.ok) {
      showError(errorNode, await errorMessage(response));
      return;
    }
    const room = await response.json();
    seats.setFacilitator(room.code, room.facilitator_token);
    window.location.assign(`/r/${encodeURIComponent(room.code)}`);
  } catch {
    showError(errorNode, i18n("ui.error.network"));
  } finally {
    button.disabled = false;
  }
});

fromFragment();
