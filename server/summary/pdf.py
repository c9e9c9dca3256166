"""The summary as PDF: the report's HTML in "pdf" mode, laid out by WeasyPrint.

Fonts are the DejaVu files vendored in static/fonts (declared by @font-face in report.css), so
the PDF embeds them and every accent comes out the same on any machine. WeasyPrint may only
read files (no network): the page holds nothing but our own template, stylesheet and fonts.
Rendering is CPU-bound and takes a fraction of a second to a few: callers run it on a thread,
and at most ``MAX_PARALLEL`` run at once so a burst of downloads cannot eat every core.
"""

import threading
from functools import cache
from typing import Any

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from server.i18n import translate
from server.settings import ROOT
from server.summary.html import render_report
from server.summary.model import Summary

STATIC = ROOT / "static"
STYLESHEET = STATIC / "css" / "report.css"
MAX_PARALLEL = 2
_slots = threading.BoundedSemaphore(MAX_PARALLEL)


def _page_css(s: Summary) -> str:
    """Page furniture that needs words: running title and page numbers, in the right language."""

    def quoted(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'

    title = translate(s.language, "summary.running_title", deck=s.session.deck.title)
    page = translate(s.language, "summary.page")
    return (
        "@page { @top-left { content: " + quoted(title) + "; }"
        " @bottom-right { content: " + quoted(page + " ") + " counter(page) \" / \" counter(pages); } }"
        " @page :first { @top-left { content: none; } @bottom-right { content: none; } }"
    )


@cache
def _fetcher() -> Any:
    return URLFetcher(allowed_protocols=("file",))


_local = threading.local()


def _base_sheet() -> tuple[Any, Any]:
    """The parsed stylesheet and its fonts, kept per thread: parsing and loading the three
    font files on every render would cost more than many a small summary."""
    cached = getattr(_local, "sheet", None)
    if cached is None:
        fonts = FontConfiguration()
        sheet = CSS(filename=str(STYLESHEET), font_config=fonts, url_fetcher=_fetcher())
        cached = _local.sheet = (sheet, fonts)
    return cached


def render_pdf(s: Summary) -> bytes:
    html = render_report(s, "pdf")
    with _slots:
        sheet, fonts = _base_sheet()
        page = CSS(string=_page_css(s), font_config=fonts, url_fetcher=_fetcher())
        document = HTML(string=html, base_url=str(STATIC) + "/", url_fetcher=_fetcher())
        pdf: bytes = document.write_pdf(stylesheets=[sheet, page], font_config=fonts)
    return pdf
