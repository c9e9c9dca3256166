"""PDF layouts in a process of their own, so that laying out a PDF never slows a live room.

WeasyPrint lays out a 50-card summary in about 1.7 s of pure-Python CPU. On a thread of the
server it held the interpreter's lock for most of that time, and every room's event loop
waited for it: while one PDF was laid out, 69 % of the loop's 1 ms ticks came late, by 5 ms at
the 99th percentile and up to 28 ms (``bench/pdf_loop_lag.py``; issue 15). So the HTML is made
here (Jinja, milliseconds) and handed to one worker process, started on the first PDF, which
loads WeasyPrint once and lays out one document at a time: the other core stays with the live
rooms. The callers are threads (``asyncio.to_thread``, the layout ahead), never the loop; they
wait for the result as they waited for the layout.

The worker is spawned, not forked (a fork would copy the server's threads' locks and sockets):
it imports the server's modules afresh and, as multiprocessing does, the main module of the
server's process (``python -m server``: server/__main__.py, which starts a server only under
``if __name__ == "__main__"``). A worker that dies (killed, out of memory) is replaced, and the
layout tried once more; a server that dies (kill -9) is seen by its worker, which exits.
``PDF_PROCESS=false`` lays out on the calling thread, as before. Same HTML, same stylesheets,
same fetcher: the renderer's boundary (server/summary/pdf.py) is the same in the worker.
"""

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from server.summary.html import report_html
from server.summary.model import Summary

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_in_process = True  # until the app says otherwise (``use_process``): tests and tools as before
TRIES = 2  # a worker that dies is replaced once per layout
WATCH_S = 1.0  # how often the worker checks that the server is still there


class LayoutFailed(RuntimeError):
    """The layout process died twice on the same document."""


def use_process(enabled: bool) -> None:
    """Set at the app's start (``PDF_PROCESS``); the worker itself starts with the first PDF."""
    global _in_process
    _in_process = not enabled


def render_pdf(s: Summary) -> bytes:
    """The summary as PDF (``server.summary.pdf.render_pdf``), laid out by the worker."""
    return html_to_pdf(report_html(s), s.language)


def html_to_pdf(html: str, language: str) -> bytes:
    """``server.summary.pdf.html_to_pdf``, in the worker process unless ``PDF_PROCESS=false``.
    Blocks the calling thread until the PDF is there: never call it on the event loop."""
    if _in_process:
        return _lay_out(html, language)
    for _ in range(TRIES):
        pool = _worker()
        try:
            return pool.submit(_lay_out, html, language).result()
        except BrokenProcessPool:
            _drop(pool)
    raise LayoutFailed("the PDF layout process stopped twice")


def stop() -> None:
    """The app stops: the worker goes too (a layout under way is abandoned)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def worker_pids() -> list[int]:
    """The worker's process id, once started (for tests and operators)."""
    with _lock:
        pool = _pool
    return sorted(pool._processes) if pool is not None and pool._processes else []


def _worker() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_warm,
                initargs=(os.getpid(),),
            )
        return _pool


def _drop(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def _warm(server_pid: int) -> None:
    """In the worker, at its start: WeasyPrint and the stylesheets loaded before the first
    document arrives, and a watch on the server, whose death (kill -9: no shutdown to tell the
    worker) must not leave the worker behind, waiting for documents for ever."""
    threading.Thread(target=_exit_with, args=(server_pid,), name="server-watch", daemon=True).start()
    import server.summary.pdf  # noqa: F401


def _exit_with(server_pid: int) -> None:
    while os.getppid() == server_pid:
        time.sleep(WATCH_S)
    os._exit(0)


def _lay_out(html: str, language: str) -> bytes:
    from server.summary.pdf import html_to_pdf  # WeasyPrint is heavy: load it on first use

    return html_to_pdf(html, language)
