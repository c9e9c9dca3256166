"""Jinja2 templates, shared by the pages, the web report and the PDF.

Autoescaping is on everywhere: names, notes and card texts are always shown as text. The
``t(key, **params)`` global translates into the page's language (``lang`` in the context).
"""

from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from server.i18n import translate
from server.settings import ROOT

TEMPLATES_DIR = ROOT / "templates"


@pass_context
def _t(context: Context, key: str, /, **params: Any) -> str:
    return translate(context.get("lang"), key, **params)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(("html", "xml", "svg"), default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["t"] = _t
    return env


def render(name: str, /, **context: Any) -> str:
    return environment().get_template(name).render(**context)


KEPT_QUERY = ("deck", "code")  # what a language switch keeps of the current address


def lang_links(query: Mapping[str, str]) -> dict[str, str]:
    """The language switch's links: same page, same deck or room, other language. Secrets
    (tokens) are never carried over."""
    kept = {k: query[k] for k in KEPT_QUERY if k in query}
    return {lang: "?" + urlencode({**kept, "lang": lang}) for lang in ("fr", "en")}
