"""Render a session summary in one of the formats of CONTRACT.md §2.

``render(fmt, deck, state, code)`` builds the summary once (``model.build_summary``) and
hands it to the format's renderer. The PDF is laid out off the event loop.
"""

import asyncio
import hashlib
import logging
import threading
from collections import OrderedDict, deque
from collections.abc import Callable

from server.core.deck import Deck
from server.core.state import RoomState
from server.summary import layouts
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
    return layouts.render_pdf(s)  # in the layout process (server/summary/layouts.py)


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
# (facilitator, participants, share links): keep the last few PDFs. They are keyed on what the
# summary says, not on the room's version: at the end of a session people leave and come back,
# each time a new version, and not one word of the summary changes (it shows no presence).
_PDF_CACHE: OrderedDict[tuple[str, str], bytes] = OrderedDict()
PDF_CACHE_SIZE = 8
_cache_lock = threading.Lock()
_inflight: dict[tuple[str, str], threading.Event] = {}
_keys: OrderedDict[tuple[str, float, int, str], tuple[str, str]] = OrderedDict()  # see _remember
KEYS_KEPT = 256
# rooms erased lately, and how many erasures so far: a layout under way when its room is
# erased must not store it (``_store``); a layout lasts seconds, the last 1,024 are plenty
_erased: deque[str] = deque(maxlen=1024)
_erasures = 0


def _pdf_key(code: str, s: Summary) -> tuple[str, str]:
    """The room and a digest of the summary's content (its language included), less the
    moment it was made: a PDF made ten minutes ago of the same content is the same PDF."""
    content = s.model_dump_json(exclude={"generated_at"}).encode()
    return code, hashlib.sha256(content).hexdigest()


def _remember(version: tuple[str, float, int, str], key: tuple[str, str], erasures: int) -> None:
    """Which content a state of the room had (under ``_cache_lock``): a download of that state
    then finds its PDF without building the summary (15–30 ms for 50 cards). Not for a room
    erased since ``erasures`` was read."""
    if _erased_since(key[0], erasures):
        return
    _keys[version] = key
    while len(_keys) > KEYS_KEPT:
        _keys.popitem(last=False)


def _lay_out_pdf(s: Summary) -> bytes:
    return RENDERERS["pdf"](s)


def _cached_pdf(deck: Deck, state: RoomState, code: str, erasures: int) -> tuple[bytes, str]:
    """The PDF from the cache; else, when it is being laid out (ahead, by ``prerender_later``,
    or for another download of the same content: thirty people clicking at once make one
    layout, not thirty), that one once it is done; else laid out now. ``erasures``: read on
    the event loop with the room's state (``_store``)."""
    version = _version_key(deck, state, code)
    with _cache_lock:
        key = _keys.get(version)
        hit = _PDF_CACHE.get(key) if key is not None else None
    if hit is not None:  # this very state was summarised before: no need to do it again
        return hit, MEDIA_TYPES["pdf"]
    s = build_summary(deck, state, code)
    key = _pdf_key(code, s)
    with _cache_lock:
        _remember(version, key, erasures)
    body = _once(key, s, erasures, wait=True)
    assert body is not None
    return body, MEDIA_TYPES["pdf"]


def _version_key(deck: Deck, state: RoomState, code: str) -> tuple[str, float, int, str]:
    return code, state.created_at, state.version, state.settings.language or deck.language


def _once(key: tuple[str, str], s: Summary, erasures: int, *, wait: bool) -> bytes | None:
    """The PDF of ``key``: from the cache, or from the layout under way (``wait``: else None),
    or laid out here, stored and given to whoever waited for it."""
    with _cache_lock:
        hit = _PDF_CACHE.get(key)
        if hit is not None:
            _PDF_CACHE.move_to_end(key)
            return hit
        pending = _inflight.get(key)
        if pending is None:
            mine = _inflight[key] = threading.Event()
    if pending is not None:
        if not wait:
            return None
        if pending.wait(PRERENDER_WAIT_S):
            with _cache_lock:
                hit = _PDF_CACHE.get(key)
            if hit is not None:
                return hit
        return _lay_out_pdf(s)  # that layout failed (or the room was erased meanwhile)
    try:
        body = _lay_out_pdf(s)
        _store(key, body, erasures)
        return body
    finally:
        with _cache_lock:
            _inflight.pop(key, None)
        mine.set()


def _store(key: tuple[str, str], body: bytes, erasures: int) -> None:
    """Kept unless the room was erased since ``erasures`` was read, before the layout began
    (``forget``): nothing of an erased session stays in memory."""
    with _cache_lock:
        if _erased_since(key[0], erasures):
            return
        _PDF_CACHE[key] = body
        while len(_PDF_CACHE) > PDF_CACHE_SIZE:
            _PDF_CACHE.popitem(last=False)


def _erased_since(code: str, erasures: int) -> bool:
    return _erasures != erasures and code in _erased


# --- a finished session's PDF, laid out before anyone asks ---------------------------------
# Laying out the summary of a long session takes seconds of CPU; nobody should wait for it on
# the first click. When a session reaches its synthesis (and again after each later change:
# actions are still edited there) the room's latest state is laid out on a background thread,
# a moment after the last change but never much later than the first one not yet laid out (a
# room where someone comes or goes every second would otherwise put it off for ever); one
# session at a time; a download that comes meanwhile waits for it. A change that leaves the
# summary as it was (presence) costs the summary's JSON, not a layout.

PRERENDER_DELAY_S = 2.0  # after the last change: edits in the synthesis come in bursts
PRERENDER_MAX_WAIT_S = 8.0  # after the first change not yet laid out
PRERENDER_WAIT_S = 30.0
_prerender_slot = threading.Semaphore(1)
_timers: dict[str, asyncio.TimerHandle] = {}
_due_since: dict[str, float] = {}  # per room: the loop time of its first change not laid out
_queued: set[str] = set()  # rooms whose layout ahead waits for ``_prerender_slot``
_at_once: set[str] = set()  # rooms whose layout ahead is due as soon as it can start
Latest = Callable[[], tuple[Deck, RoomState]]


def prerender_later(
    code: str, latest: Latest, delay_s: float = PRERENDER_DELAY_S, *, at_once: bool = False
) -> None:
    """Lay out the room's PDF ``delay_s`` after this change, or ``PRERENDER_MAX_WAIT_S`` after
    the first change not laid out yet if that comes sooner; ``latest()`` gives the room's deck
    and state at that moment. Called on the event loop after each change of a finished
    session. ``at_once``: the session has just reached its synthesis, the moment people
    download it: its layout starts now, and the changes that follow closely (people leaving)
    do not put it off (a click a second later waits ~1 s for a 50-card session, not ~2 s)."""
    loop = asyncio.get_running_loop()
    now = loop.time()
    first = _due_since.setdefault(code, now)
    if at_once:
        _at_once.add(code)
    old = _timers.pop(code, None)
    if old is not None:
        old.cancel()
    at = first if code in _at_once else min(now + delay_s, first + max(delay_s, PRERENDER_MAX_WAIT_S))
    _timers[code] = loop.call_at(at, _start_prerender, code, latest)


def forget(code: str) -> None:
    """An erased session: no PDF of it is laid out or kept any more."""
    timer = _timers.pop(code, None)
    _due_since.pop(code, None)
    _at_once.discard(code)
    if timer is not None:
        timer.cancel()
    global _erasures
    with _cache_lock:
        _erasures += 1
        _erased.append(code)
        for key in [k for k in _PDF_CACHE if k[0] == code]:
            del _PDF_CACHE[key]
        for version in [v for v in _keys if v[0] == code]:
            del _keys[version]


def _start_prerender(code: str, latest: Latest) -> None:
    _timers.pop(code, None)
    _due_since.pop(code, None)
    _at_once.discard(code)
    erasures = _erasures
    with _cache_lock:
        if code in _queued:  # a layout of this room waits for its turn: it takes the latest state
            return
        _queued.add(code)

    def work() -> None:
        try:
            with _prerender_slot:  # one layout ahead at a time, of the room's state of that moment
                with _cache_lock:
                    _queued.discard(code)
                    if _erased_since(code, erasures):
                        return
                deck, state = latest()  # immutable objects: read from this thread as they are
                s = build_summary(deck, state, code)
                key = _pdf_key(code, s)
                with _cache_lock:
                    _remember(_version_key(deck, state, code), key, erasures)
                _once(key, s, erasures, wait=False)
        except Exception:  # the download lays it out again and reports the error
            log.exception("could not lay out the PDF of room %s ahead", code)

    threading.Thread(target=work, name="pdf-prerender", daemon=True).start()


async def render(fmt: str, deck: Deck, state: RoomState, code: str) -> tuple[bytes, str]:
    if fmt == "pdf":  # seconds of CPU for a long session: never on the event loop
        return await asyncio.to_thread(_cached_pdf, deck, state, code, _erasures)
    return render_sync(fmt, deck, state, code)
