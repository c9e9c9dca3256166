// Translations: the page embeds its catalogue (server/locales/<lang>/*.json) in #i18n.
// Every string the scripts show goes through i18n(<literal key>, params) or
// plural(<literal key>, count, params) — recognisable call patterns, so
// tests/browser/test_i18n_keys.py can check each key exists in both catalogues.

const block = document.getElementById("i18n");
const strings = block ? JSON.parse(block.textContent) : {};

export const lang = document.documentElement.lang || "fr";

const has = (key) => Object.prototype.hasOwnProperty.call(strings, key);

export function i18n(key, params = {}) {
  const text = has(key) ? strings[key] : key;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole);
}

const rules = new Intl.PluralRules(lang === "en" ? "en" : "fr");

// Real plurals: "<key>.one" or "<key>.other" by the language's rule (French: 0 and 1 are
// singular), with {count} among the parameters.
export function plural(key, count, params = {}) {
  const form = rules.select(Number(count) || 0) === "one" ? "one" : "other";
  return i18n(has(`${key}.${form}`) ? `${key}.${form}` : `${key}.other`, { count, ...params });
}

// Keys built at run time (answer.yes, level.alert, criterion.x.label) come from core.json
// and are called as i18n(`answer.${value}`).
