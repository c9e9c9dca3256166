"""Render a session summary in one of the formats of CONTRACT.md §2.

``render(fmt, deck, state, code)`` builds the summary once (``model.build_summary``) and
hands it to the format's renderer. The PDF is laid out off the event loop.
"""

import asyncio
import logging
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
log = logging.getLogger(__name__)


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


_inflight: dict[tuple[str, float, int, str], threading.Event] = {}


def _pdf_key(deck: Deck, state: RoomState, code: str) -> tuple[str, float, int, str]:
    return (code, state.created_at, state.version, state.settings.language or deck.language)


def _cached_pdf(deck: Deck, state: RoomState, code: str) -> tuple[bytes, str]:
    """The PDF from the cache; else, when it is being laid out ahead (``prerender``), that
    one once it is done; else laid out now."""
    key = _pdf_key(deck, state, code)
    with _cache_lock:
        hit = _PDF_CACHE.get(key)
        if hit is not None:
            _PDF_CACHE.move_to_end(key)
            return hit, MEDIA_TYPES["pdf"]
        pending = _inflight.get(key)
    if pending is not None and pending.wait(PRERENDER_WAIT_S):
        with _cache_lock:
            hit = _PDF_CACHE.get(key)
        if hit is not None:
            return hit, MEDIA_TYPES["pdf"]
    body, media_type = render_sync("pdf", deck, state, code)
    _store(key, body)
    return body, media_type


def _store(key: tuple[str, float, int, str], body: bytes) -> None:
    with _cache_lock:
        _PDF_CACHE[key] = body
        while len(_PDF_CACHE) > PDF_CACHE_SIZE:
            _PDF_CACHE.popitem(last=False)


# --- a finished session's PDF, laid out before anyone asks ---------------------------------
# Laying out the summary of a long session takes seconds of CPU; nobody should wait for it on
# the first click. When a session reaches its synthesis (and again after each later change:
# actions are still edited there) the PDF is laid out on a background thread, a moment after
# the last change, one session at a time; a download that comes meanwhile waits for it.

PRERENDER_DELAY_S = 2.0  # after the last change: edits in the synthesis come in bursts
PRERENDER_WAIT_S = 30.0
_prerender_slot = threading.Semaphore(1)
_timers: dict[str, asyncio.TimerHandle] = {}


def prerender_later(deck: Deck, state: RoomState, code: str, delay_s: float = PRERENDER_DELAY_S) -> None:
    """Lay out this state's PDF in ``delay_s`` unless the room changes again before. Called
    on the event loop after each change of a finished session."""
    old = _timers.pop(code, None)
    if old is not None:
        old.cancel()
    loop = asyncio.get_running_loop()
    _timers[code] = loop.call_later(delay_s, _start_prerender, deck, state, code)


def forget(code: str) -> None:
    """An erased session: no PDF of it is laid out or kept any more."""
    timer = _timers.pop(code, None)
    if timer is not None:
        timer.cancel()
    with _cache_lock:
        for key in [k for k in _PDF_CACHE if k[0] == code]:
            del _PDF_CACHE[key]


def _start_prerender(deck: Deck, state: RoomState, code: str) -> None:
    _timers.pop(code, None)
    key = _pdf_key(deck, state, code)
    with _cache_lock:
        if key in _PDF_CACHE or key in _inflight:
            return
        done = _inflight[key] = threading.Event()

    def work() -> None:
        try:
            with _prerender_slot:
                body, _ = render_sync("pdf", deck, state, code)
            _store(key, body)
        except Exception:  # the download lays it out again and reports the error
            log.exception("could not lay out the PDF of room %s ahead", code)
        finally:
            with _cache_lock:
                _inflight.pop(key, None)
            done.set()

    threading.Thread(target=work, name="pdf-prerender", daemon=True).start()


async def render(fmt: str, deck: Deck, state: RoomState, code: str) -> tuple[bytes, str]:
    if fmt == "pdf":  # seconds of CPU for a long session: never on the event loop
        return await asyncio.to_thread(_cached_pdf, deck, state, code)
    return render_sync(fmt, deck, state, code)
