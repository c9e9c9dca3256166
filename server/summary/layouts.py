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
it imports the server's modules afresh. A worker that dies (killed, out of memory) is
replaced and the layout tried once more; a worker that cannot work at all (it does not start,
or dies twice) is given up for ``COOL_DOWN_S`` and the layout done on the calling thread, as
before, with the cause in the server's log; a layout that takes over ``LAYOUT_TIMEOUT_S``
has its worker killed. A server that dies (kill -9) is seen by its worker, which exits; one
that stops kills it. ``PDF_PROCESS=false`` lays out on the calling thread. Same HTML, same
stylesheets, same fetcher: the renderer's boundary (server/summary/pdf.py) is the same in the
worker. The worker is replaced every ``DOCUMENTS_PER_WORKER`` documents, so that WeasyPrint's
caches do not grow without end. Its garbage collector is set as the server's
(server/collector.py).
"""

import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures import TimeoutError as LayoutTimeout
from concurrent.futures.process import BrokenProcessPool

from server import collector
from server.summary.html import report_html
from server.summary.model import Summary

log = logging.getLogger(__name__)
_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_in_process = True  # until the app says otherwise (``use_process``): tests and tools as before
_given_up_until = 0.0  # monotonic time: no worker is tried before it
TRIES = 2  # a worker that dies is replaced once per layout
COOL_DOWN_S = 300.0  # a worker that cannot work is not tried again for this long
LAYOUT_TIMEOUT_S = 120.0  # a 50-card summary takes 2 s: beyond this, the worker is stuck
DOCUMENTS_PER_WORKER = 200
WATCH_S = 1.0  # how often the worker checks that the server is still there


class LayoutFailed(RuntimeError):
    """The layout took too long, or the app stopped during it."""


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
    global _given_up_until
    if _in_process or time.monotonic() < _given_up_until:
        return _lay_out(html, language)
    for _ in range(TRIES):
        pool = _worker()
        try:
            future = pool.submit(_lay_out, html, language)
        except BrokenProcessPool:
            _drop(pool)
            continue
        except RuntimeError:  # shut down meanwhile (``stop``): no new work
            raise LayoutFailed("the server is stopping") from None
        try:
            return future.result(timeout=LAYOUT_TIMEOUT_S)
        except BrokenProcessPool:
            _drop(pool)
        except LayoutTimeout:
            _drop(pool)
            raise LayoutFailed("the PDF layout took too long") from None
        except CancelledError:  # the app stopped meanwhile (``stop``)
            raise LayoutFailed("the server is stopping") from None
    log.error("the PDF layout process does not work (see its errors above): laid out here instead")
    _given_up_until = time.monotonic() + COOL_DOWN_S
    return _lay_out(html, language)


def stop() -> None:
    """The app stops: its worker is killed (a layout under way is abandoned, its caller gets
    ``LayoutFailed``), and later layouts of this process are done on their thread."""
    global _pool, _in_process
    with _lock:
        pool, _pool = _pool, None
        _in_process = True
    if pool is not None:
        _kill(pool)


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
                max_tasks_per_child=DOCUMENTS_PER_WORKER,
            )
        return _pool


def _drop(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    _kill(pool)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` now: its worker killed, not left to finish a layout nobody waits for."""
    workers = list((pool._processes or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.kill()


def _warm(server_pid: int) -> None:
    """In the worker, at its start: WeasyPrint and the stylesheets loaded before the first
    document arrives; Ctrl-C left to the server, which stops the worker itself; and a watch on
    the server, whose death (kill -9: no shutdown to tell the worker) must not leave the
    worker behind, waiting for documents for ever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(server_pid,), name="server-watch", daemon=True).start()
    import server.summary.pdf  # noqa: F401

    collector.quieten()  # WeasyPrint loaded: ~11 % off every layout (server/collector.py)


def _exit_with(server_pid: int) -> None:
    while os.getppid() == server_pid:
        time.sleep(WATCH_S)
    os._exit(0)


def _lay_out(html: str, language: str) -> bytes:
    from server.summary.pdf import html_to_pdf  # WeasyPrint is heavy: load it on first use

    return html_to_pdf(html, language)
