"""The summary as PDF: the report's HTML in "pdf" mode, laid out by WeasyPrint.

Fonts are the DejaVu TTF files vendored in static/fonts (declared by @font-face in
report-pdf.css, which only the PDF reads; the web page gets subset WOFF2 files), so the PDF
embeds them and every accent comes out the same on any machine. Rendering is CPU-bound
and takes a fraction of a second to a few: callers run it on a thread, and at most
``MAX_PARALLEL`` run at once so a burst of downloads cannot eat every core.

What the renderer may read is the security boundary here: deck and session texts come from
anyone who can upload a deck. They reach the page only as HTML text (autoescaped by Jinja),
never as CSS: the running title is taken from an element of the page by ``string-set``, so no
user text is ever parsed as a stylesheet. And ``StaticFetcher`` serves only regular files of
our own static folder, from memory: no other scheme, path, device or FIFO can be opened.
"""

import os
import stat
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from server.i18n import translate
from server.settings import ROOT
from server.summary.html import report_html
from server.summary.model import Summary

STATIC = ROOT / "static"
STYLESHEET = STATIC / "css" / "report.css"
PDF_FONTS = STATIC / "css" / "report-pdf.css"
MAX_PARALLEL = 2
MAX_RESOURCE_BYTES = 4 * 1024 * 1024
_slots = threading.BoundedSemaphore(MAX_PARALLEL)
# Tagged PDF (PDF/UA-1): headings, lists, tables and reading order for screen readers, the
# document's language and title in its metadata. Measured on a 12-card session: see
# docs/summary.md ("Accessibility of the PDF").
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1"}


class ResourceRefused(ValueError):
    """A URL the PDF renderer will not load (WeasyPrint logs it and leaves the resource out)."""


class StaticFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """Loads only regular files below ``root`` (after resolving links), each at most
    ``MAX_RESOURCE_BYTES``, kept in memory once read. Everything else is refused."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file",))
        self._root = root.resolve()
        self._files: dict[Path, bytes] = {}
        self._lock = threading.Lock()
        self.refused: list[str] = []  # for the logs and the tests

    def resolve(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"not a local file: {url[:200]}")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self._root):
            raise ResourceRefused(f"outside the static folder: {url[:200]}")
        return path

    def read(self, path: Path) -> bytes:
        with self._lock:
            hit = self._files.get(path)
        if hit is not None:
            return hit
        # O_NONBLOCK: opening a FIFO must not wait for a writer; the fstat check then refuses it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise ResourceRefused(f"not a regular file: {path}")
            if info.st_size > MAX_RESOURCE_BYTES:
                raise ResourceRefused(f"too large: {path}")
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read(MAX_RESOURCE_BYTES + 1)
        finally:
            os.close(fd)
        if len(data) > MAX_RESOURCE_BYTES:
            raise ResourceRefused(f"too large: {path}")
        with self._lock:
            self._files[path] = data
        return data

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        try:
            path = self.resolve(url)
            body = self.read(path)
        except (OSError, ResourceRefused) as exc:
            with self._lock:
                self.refused.append(url[:200])
            raise ResourceRefused(str(exc)) from None
        return URLFetcherResponse(url, body=body, headers={"Content-Type": _content_type(path)})


def _content_type(path: Path) -> str:
    return {
        ".css": "text/css",
        ".ttf": "font/ttf",
        ".woff2": "font/woff2",
        ".woff": "font/woff",
        ".svg": "image/svg+xml",
        ".png": "image/png",
    }.get(path.suffix.lower(), "application/octet-stream")


def css_string(value: str) -> str:
    """A CSS string literal that nothing can break out of: every character outside a small
    safe set is written as a hexadecimal escape (CSS 2.1 §4.1.3)."""
    safe = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-")
    return '"' + "".join(ch if ch in safe else f"\\{ord(ch):06x}" for ch in value) + '"'


def page_css(language: str) -> str:
    """Page furniture: the running title comes from the page itself (``string(running-title)``,
    set by an element of the HTML); only our own catalogue's word for "page" is written here."""
    page = translate(language, "summary.page")
    return (
        "@page { @top-left { content: string(running-title); }"
        " @bottom-right { content: " + css_string(page + " ") + ' counter(page) " / " counter(pages); } }'
        " @page :first { @top-left { content: none; } @bottom-right { content: none; } }"
    )


_fetcher = StaticFetcher(STATIC)
_local = threading.local()


def _base_sheet() -> tuple[Any, Any]:
    """The parsed stylesheet and its fonts, kept per thread: parsing and loading the three
    font files on every render would cost more than many a small summary."""
    cached = getattr(_local, "sheet", None)
    if cached is None:
        fonts = FontConfiguration()
        sheets = [
            CSS(filename=str(path), font_config=fonts, url_fetcher=_fetcher)
            for path in (PDF_FONTS, STYLESHEET)
        ]
        cached = _local.sheet = (sheets, fonts)
    return cached


def render_pdf(s: Summary) -> bytes:
    return html_to_pdf(report_html(s), s.language)


def html_to_pdf(html: str, language: str) -> bytes:
    """A page of ours (the summary, the facilitator's guide) as a tagged PDF, through the same
    stylesheets and the same fetcher, so the same boundary holds."""
    with _slots:
        sheets, fonts = _base_sheet()
        page = CSS(string=page_css(language), font_config=fonts, url_fetcher=_fetcher)
        document = HTML(string=html, base_url=STATIC.as_uri() + "/", url_fetcher=_fetcher)
        pdf: bytes = document.write_pdf(stylesheets=[*sheets, page], font_config=fonts, **PDF_OPTIONS)
    return pdf
