// Translations: the page embeds its catalogue (server/locales/<lang>/*.json) in #i18n.
// Every string the scripts show goes through i18n(<literal key>, params) — one recognisable call
// pattern, so tests/browser/test_i18n_keys.py can check each key exists in both catalogues.

const block = document.getElementById("i18n");
const strings = block ? JSON.parse(block.textContent) : {};

export const lang = document.documentElement.lang || "fr";

export function i18n(key, params = {}) {
  const text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole);
}

// Keys built at run time (answer.yes, level.alert, criterion.x.label) come from core.json
// and are called as i18n(`answer.${value}`).
