// Translations: the page embeds its catalogue (server/locales/<lang>/*.json) in #i18n.
// Every string the scripts show goes through i18n(<literal key>, params) — one recognisable call
// pattern, so tests/browser/test_i18n_keys.py can check each key exists in both catalogues.
//
// Message format — the same as server/i18n.py (its docstring and docs/i18n.md say more):
//   {name}                 the parameter; one the caller did not pass stays as written
//   {{ and }}              literal braces
//   {count|carte|cartes}   plural: first form when count is singular (French: below 2; English: 1)
//   {name|de}              French elision: "de Paul", "d'Amélie" (any word ending in e or a)

const block = typeof document !== "undefined" ? document.getElementById("i18n") : null;
const strings = block ? JSON.parse(block.textContent) : {};

export const lang = (typeof document !== "undefined" && document.documentElement.lang) || "fr";

const FIELD = /\{\{|\}\}|\{(\w+)(?:\|([^{}]*))?\}/g;
const APOSTROPHE = "'";

export function pluralCategory(language, count) {
  if (typeof count === "boolean" || count === null || count === undefined || count === "") return "other";
  const n = Math.abs(Number(count));
  if (Number.isNaN(n)) return "other";
  if (String(language).slice(0, 2).toLowerCase() === "en") return n === 1 ? "one" : "other";
  return n < 2 ? "one" : "other";
}

export function startsWithVowelSound(text) {
  const letters = String(text).trim().slice(0, 2).toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  if (!letters) return false;
  if ("aeiouœæh".includes(letters[0])) return true;
  return letters[0] === "y" && letters.length > 1 && !"aeiouy".includes(letters[1]);
}

export function elide(word, value) {
  const last = word.slice(-1).toLowerCase();
  if ((last === "e" || last === "a") && startsWithVowelSound(value)) return `${word.slice(0, -1)}${APOSTROPHE}${value}`;
  return word ? `${word} ${value}` : String(value);
}

export function formatMessage(language, text, params = {}) {
  return text.replace(FIELD, (whole, name, options) => {
    if (whole === "{{" || whole === "}}") return whole[0];
    if (!Object.prototype.hasOwnProperty.call(params, name)) return whole;
    const value = params[name];
    if (options === undefined) return String(value);
    const forms = options.split("|");
    if (forms.length === 1) return elide(forms[0], String(value));
    return pluralCategory(language, value) === "one" ? forms[0] : forms[1];
  });
}

export function i18n(key, params = {}) {
  const text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
  return formatMessage(lang, text, params);
}

// For classic scripts (the studio): the same formatter without a module import.
if (typeof globalThis !== "undefined") globalThis.exploriaFormat = formatMessage;

// Keys built at run time (answer.yes, level.alert, criterion.x.label) come from core.json
// and are called as i18n(`answer.${value}`).
