"""Render a session summary in one of the formats of CONTRACT.md §2.

``render(fmt, deck, state, code)`` builds the summary once (``model.build_summary``) and
hands it to the format's renderer. The PDF is laid out off the event loop.
"""

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Callable

from server.core.deck import Deck
from server.core.state import RoomState
from server.summary.csv_export import render_csv
from server.summary.markdown import render_markdown
from server.summary.model import Summary, build_summary

MEDIA_TYPES = {
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}
FORMATS = tuple(MEDIA_TYPES)


def render_json(s: Summary) -> bytes:
    return s.model_dump_json(indent=2).encode()


def _render_pdf(s: Summary) -> bytes:
    from server.summary.pdf import render_pdf  # WeasyPrint is heavy: load it on first use

    return render_pdf(s)


RENDERERS: dict[str, Callable[[Summary], bytes]] = {
    "json": render_json,
    "md": lambda s: render_markdown(s).encode(),
    "csv": render_csv,
    "pdf": _render_pdf,
}


def render_sync(fmt: str, deck: Deck, state: RoomState, code: str) -> tuple[bytes, str]:
    if fmt not in RENDERERS:
        raise KeyError(fmt)
    return RENDERERS[fmt](build_summary(deck, state, code)), MEDIA_TYPES[fmt]


# A finished session does not change, and its summary is often downloaded several times
# (facilitator, participants, share links): keep the last few PDFs, keyed on the room's state.
_PDF_CACHE: OrderedDict[tuple[str, float, int, str], bytes] = OrderedDict()
PDF_CACHE_SIZE = 8
_cache_lock = threading.Lock()


def _cached_pdf(deck: Deck, state: RoomState, code: str) -> tuple[bytes, str]:
    key = (code, state.created_at, state.version, state.settings.language or deck.language)
    with _cache_lock:
        hit = _PDF_CACHE.get(key)
        if hit is not None:
            _PDF_CACHE.move_to_end(key)
            return hit, MEDIA_TYPES["pdf"]
    body, media_type = render_sync("pdf", deck, state, code)
    with _cache_lock:
        _PDF_CACHE[key] = body
        while len(_PDF_CACHE) > PDF_CACHE_SIZE:
            _PDF_CACHE.popitem(last=False)
    return body, media_type


async def render(fmt: str, deck: Deck, state: RoomState, code: str) -> tuple[bytes, str]:
    if fmt == "pdf":  # seconds of CPU for a long session: never on the event loop
        return await asyncio.to_thread(_cached_pdf, deck, state, code)
    return render_sync(fmt, deck, state, code)
