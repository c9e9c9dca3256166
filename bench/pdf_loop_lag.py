"""How much a PDF layout slows the server's event loop (issue 15), both ways the server can lay
out: on a thread of its own process (``PDF_PROCESS=false``) and in the layout worker process
(``server/summary/layouts.py``, the default).

An event loop ticks every 1 ms, first alone, then while a thread of the server's kind lays out
the 50-card, 30-person summary (``server/summary/render.py``) — itself, or handing the page to
the worker and waiting. Prints how late the ticks came (p50, p99, max) and how many the loop
got, with the garbage collector set as the server sets it (``server/__main__.py``: frozen
start-up, thresholds 5,000/10/50). A layout on a thread holds the GIL in turns with the loop
(the switch interval, 5 ms) and its allocations bring full collections that stop every thread;
in the worker it does neither.

    .venv/bin/python bench/pdf_loop_lag.py [--switch-interval 0.001]
"""

import argparse
import asyncio
import gc
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.core.deck import Deck
from server.core.state import RoomState
from server.summary import layouts
from server.summary.render import render_sync
from tests.summary.factory import big_deck, play


def pct(xs: list[float], p: float) -> float:
    ys = sorted(xs)
    return ys[min(len(ys) - 1, int(p / 100 * len(ys)))]


async def ticks(seconds: float) -> list[float]:
    """Lateness of 1 ms sleeps, in ms, for ``seconds``."""
    late = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        await asyncio.sleep(0.001)
        late.append((time.perf_counter() - t - 0.001) * 1000)
    return late


async def during_layout(deck: Deck, state: RoomState, code: str) -> tuple[float, list[float]]:
    layout = threading.Thread(target=render_sync, args=("pdf", deck, state, code))
    t0 = time.perf_counter()
    layout.start()
    during: list[float] = []
    while layout.is_alive():
        during += await ticks(0.1)
    return time.perf_counter() - t0, during


def line(name: str, late: list[float], span: float) -> None:
    print(
        f"{name:<30} lateness p50 {pct(late, 50):.2f} ms, p99 {pct(late, 99):.2f} ms, "
        f"max {max(late):.2f} ms; {len(late) / span:.0f} ticks/s"
    )


async def measure() -> None:
    deck = big_deck(50)
    state = play(deck, players=30)
    for in_worker, name in ((False, "on a thread"), (True, "in the worker process")):
        layouts.use_process(in_worker)
        render_sync("pdf", deck, play(deck, players=2, cards=1), "WARMUP")  # imports, fonts; the worker
        quiet = await ticks(2)
        took, during = await during_layout(deck, state, f"LAG{int(in_worker)}")
        print(f"layout {name}: {took:.2f} s")
        line("  loop alone", quiet, 2.0)
        line("  during the layout", during, took)
    layouts.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--switch-interval", type=float, help="sys.setswitchinterval (default 0.005)")
    args = parser.parse_args()
    gc.freeze()
    gc.set_threshold(5_000, 10, 50)
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)
    asyncio.run(measure())


if __name__ == "__main__":
    main()
