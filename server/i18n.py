"""The translation layer: every user-facing string goes through ``translate``.

Catalogues are flat JSON files keyed by stable ids (``server/locales/<lang>/*.json``, one file
per part of the app, merged), shared by
the server (errors, pages, summaries) and the browser (served at /api/i18n/<lang>). French is
the reference language; a test fails when a key is missing from any catalogue or when code or
a template uses a key no catalogue has.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

Lang = Literal["fr", "en"]
LANGUAGES: Final[tuple[Lang, ...]] = ("fr", "en")
DEFAULT_LANG: Final[Lang] = "fr"
LOCALES_DIR = Path(__file__).parent / "locales"


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


def translate(lang: str | None, key: str, /, **params: Any) -> str:
    code = normalize(lang) or DEFAULT_LANG
    text = catalogue(code).get(key) or catalogue(DEFAULT_LANG).get(key) or key
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


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
