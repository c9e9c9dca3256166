"""PDFs are laid out by a worker process of the server (server/summary/layouts.py): the server
itself never runs WeasyPrint, a worker that dies is replaced, a server killed with -9 leaves no
worker behind, and ``PDF_PROCESS=false`` lays out on a thread of the server as before."""

import os
import signal
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import ServerProcess
from tests.summary.session import play_session

pytestmark = pytest.mark.timeout(180)


def children(pid: int) -> list[int]:
    """The process's layout workers (multiprocessing's resource tracker, also spawned, aside)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(x) for x in (task / "children").read_text().split()]
        except OSError:  # a thread that ended meanwhile
            continue
    return sorted(x for x in found if b"spawn_main" in _cmdline(x))


def gone(pid: int) -> bool:
    """Exited: no such process, or a zombie left to an init that does not reap."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # gone meanwhile
        return b""


def loaded(pid: int, name: str) -> bool:
    """Whether the process has a shared object or module file of ``name`` mapped or open."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return name in maps


def get(server: ServerProcess, path: str) -> bytes:
    with urllib.request.urlopen(server.base + path, timeout=60) as r:
        assert r.status == 200
        return r.read()


def wait_for(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_the_worker_lays_out_and_is_replaced_when_it_dies(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path).start()
    try:
        assert server.proc is not None
        pid = server.proc.pid
        assert children(pid) == []  # nothing started before the first PDF
        played = play_session(server)
        body = get(server, f"/api/rooms/{played.code}/summary.pdf?token={played.facilitator_token}")
        assert body.startswith(b"%PDF-")
        (worker,) = children(pid)
        # WeasyPrint's text layout (Pango) is in the worker, not in the server
        assert loaded(worker, "libpango")
        assert not loaded(pid, "libpango")
        os.kill(worker, signal.SIGKILL)
        guide = get(server, "/guide.pdf?lang=en")  # not laid out yet: a layout after the death
        assert guide.startswith(b"%PDF-")
        (again,) = children(pid)
        assert again != worker
        assert not loaded(pid, "libpango")  # laid out by the new worker, not by the server
        # the server's executor reaps the dead worker: no zombie is left in the server
        wait_for(lambda: not Path(f"/proc/{worker}").exists(), "the killed worker is reaped")
        server.kill9()  # no shutdown to stop the worker: it sees the server gone and exits
        wait_for(lambda: gone(again), "the worker exits with the server")
    finally:
        server.stop()


def test_without_the_worker_the_server_lays_out_itself(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, env={"PDF_PROCESS": "false"}).start()
    try:
        assert server.proc is not None
        played = play_session(server)
        body = get(server, f"/api/rooms/{played.code}/summary.pdf?token={played.facilitator_token}")
        assert body.startswith(b"%PDF-")
        assert children(server.proc.pid) == []
        assert loaded(server.proc.pid, "libpango")
    finally:
        server.stop()


def test_stopping_kills_the_worker_and_lays_out_in_process_after() -> None:
    from server.summary import layouts

    layouts.use_process(True)
    try:
        assert layouts.html_to_pdf("<p>un</p>", "fr").startswith(b"%PDF-")
        (worker,) = layouts.worker_pids()
    finally:
        layouts.stop()
    wait_for(lambda: gone(worker), "the worker is killed when the app stops")
    assert layouts.html_to_pdf("<p>deux</p>", "fr").startswith(b"%PDF-")  # on this thread
    assert layouts.worker_pids() == []


def test_a_worker_that_cannot_start_is_given_up_and_the_pdf_still_comes() -> None:
    """A real way for the worker not to start: a program read from standard input, which
    multiprocessing cannot import again in the worker. Two tries, then the layout is done on
    the calling thread, the cause in the log, and no worker is tried again for a while."""
    import subprocess
    import sys

    from tests.helpers import ROOT

    program = (
        "import logging, sys, time\n"
        "logging.basicConfig(level=logging.ERROR)\n"
        "from server.summary import layouts\n"
        "layouts.use_process(True)\n"
        "first = layouts.html_to_pdf('<p>un</p>', 'fr')\n"
        "assert layouts._given_up_until > time.monotonic()\n"
        "second = layouts.html_to_pdf('<p>deux</p>', 'fr')\n"
        "assert layouts.worker_pids() == []\n"
        "sys.stdout.write(first[:5].decode() + second[:5].decode())\n"
    )
    done = subprocess.run(
        [sys.executable, "-"], input=program, capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "%PDF-%PDF-"
    assert "the PDF layout process does not work" in done.stderr


def test_the_worker_collects_garbage_as_the_server_does() -> None:
    """What start-up loaded (WeasyPrint) frozen and the thresholds raised, as in the server:
    a 50-card layout went through ~310 collections, ~250 ms of ~1.8 s (server/collector.py)."""
    import gc

    from server import collector
    from server.summary import layouts

    layouts.use_process(True)
    try:
        assert layouts.html_to_pdf("<p>un</p>", "fr").startswith(b"%PDF-")
        pool = layouts._worker()
        assert pool.submit(gc.get_threshold).result(timeout=60) == collector.THRESHOLDS
        assert pool.submit(gc.get_freeze_count).result(timeout=60) > 10_000  # WeasyPrint's modules
    finally:
        layouts.stop()
