"""The translation layer: every user-facing string goes through ``translate``.

Catalogues are flat JSON files keyed by stable ids (``server/locales/<lang>/*.json``, one file
per part of the app, merged), shared by
the server (errors, pages, summaries) and the browser (served at /api/i18n/<lang>). French is
the reference language; a test fails when a key is missing from any catalogue or when code or
a template uses a key no catalogue has.

Message format (the same in ``static/js/i18n.js``, the browser's copy; docs/i18n.md):

- ``{name}`` — the parameter, as text. A parameter the caller did not pass stays as written.
- ``{{`` and ``}}`` — literal braces.
- ``{count|carte|cartes}`` — plural: the first form when ``count`` is singular in the language,
  the second otherwise. French: 0 and 1 (and anything below 2) are singular; English: only 1.
  The number itself is written separately: ``"{count} {count|carte restante|cartes restantes}"``,
  so one message can hold several counts and callers need no change.
- ``{name|de}`` — French elision: the word, then the parameter, elided before a vowel or a mute
  h: ``"au tour {name|de} de tirer"`` gives "au tour de Paul de tirer" and "au tour d'Amélie de
  tirer". Works with any word ending in e or a (de, que, le, la, jusque, lorsque…); first names
  starting with h are taken as mute ("d'Hugo"), a y before a consonant as a vowel ("d'Yves").
"""

import json
import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

Lang = Literal["fr", "en"]
LANGUAGES: Final[tuple[Lang, ...]] = ("fr", "en")
DEFAULT_LANG: Final[Lang] = "fr"
LOCALES_DIR = Path(__file__).parent / "locales"

# {{ | }} | {name} | {name|options}
_FIELD: Final = re.compile(r"\{\{|\}\}|\{(\w+)(?:\|([^{}]*))?\}")
APOSTROPHE: Final = "'"


@cache
def catalogue(lang: Lang) -> dict[str, str]:
    data: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.json")):
        data.update(json.loads(path.read_text("utf-8")))
    return data


def normalize(lang: str | None) -> Lang | None:
    if not lang:
        return None
    short = lang.strip().lower()[:2]
    return "en" if short == "en" else "fr" if short == "fr" else None


def plural_category(lang: str | None, count: Any) -> Literal["one", "other"]:
    """ "one" or "other" for ``count`` (a number or a numeric string); anything else is "other"."""
    if isinstance(count, bool):
        return "other"
    try:
        n = abs(float(count))
    except (TypeError, ValueError):
        return "other"
    if (normalize(lang) or DEFAULT_LANG) == "fr":
        return "one" if n < 2 else "other"
    return "one" if n == 1 else "other"


def starts_with_vowel_sound(text: str) -> bool:
    """Whether a French word elides before ``text``: a vowel, a (mute) h, a y before a consonant."""
    letters = unicodedata.normalize("NFD", text.strip()[:2].lower())
    letters = "".join(c for c in letters if not unicodedata.combining(c))
    if not letters:
        return False
    first = letters[0]
    if first in "aeiouœæh":
        return True
    return first == "y" and len(letters) > 1 and letters[1] not in "aeiouy"


def elide(word: str, value: str) -> str:
    """``elide("de", "Amélie")`` → "d'Amélie"; ``elide("de", "Paul")`` → "de Paul"."""
    if word[-1:].lower() in ("e", "a") and starts_with_vowel_sound(value):
        return f"{word[:-1]}{APOSTROPHE}{value}"
    return f"{word} {value}" if word else value


def format_message(lang: str | None, text: str, params: Mapping[str, Any]) -> str:
    """Fill ``text`` (the message format above) with ``params``."""

    def field(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole in ("{{", "}}"):
            return whole[0]
        name, options = match.group(1), match.group(2)
        if name not in params:
            return whole
        value = params[name]
        if options is None:
            return str(value)
        forms = options.split("|")
        if len(forms) == 1:
            return elide(forms[0], str(value))
        return forms[0] if plural_category(lang, value) == "one" else forms[1]

    return _FIELD.sub(field, text)


def translate(lang: str | None, key: str, /, **params: Any) -> str:
    code = normalize(lang) or DEFAULT_LANG
    text = catalogue(code).get(key) or catalogue(DEFAULT_LANG).get(key) or key
    return format_message(code, text, params)


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> Lang:
    """?lang=, then the cookie, then Accept-Language (by quality), then French."""
    for candidate in (query, cookie):
        found = normalize(candidate)
        if found:
            return found
    if accept_language:
        ranked = []
        for i, part in enumerate(accept_language.split(",")):
            tag, _, q = part.strip().partition(";q=")
            try:
                quality = float(q) if q else 1.0
            except ValueError:
                quality = 0.0
            ranked.append((-quality, i, tag))
        for _, _, tag in sorted(ranked):
            found = normalize(tag)
            if found:
                return found
    return DEFAULT_LANG


def error_message(lang: str | None, code: str, params: dict[str, Any]) -> str:
    """The message of an error code, with its parameters worded in ``lang`` too."""
    shown = dict(params)
    if isinstance(shown.get("phase"), str):
        shown["phase"] = translate(lang, f"phase.{shown['phase']}")
    return translate(lang, f"error.{code}", **shown)
