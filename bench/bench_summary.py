"""How long the session summary takes in each format, for a big session.

A session of 50 cards (4 yes/no questions and 1 open question each) and 30 participants is
played with the pure core (server.core.rules.apply); then each format is rendered several
times, from the room state to the bytes (building the summary included, the PDF cache not
used), and the median and worst wall times, and the median CPU time of this process, are
printed against their budgets: JSON, Markdown and CSV within 100 ms, the PDF within 2 s.
Two sessions: a typical one, and a worst case. The first PDF (WeasyPrint warming up:
imports, fonts) is timed apart. Run: ``.venv/bin/python bench/bench_summary.py [--runs N]``.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.core.deck import Deck
from server.core.state import RoomState
from server.summary.render import FORMATS, render_sync
from tests.summary.factory import big_deck, play

BUDGET_S = {"json": 0.1, "md": 0.1, "csv": 0.1, "pdf": 2.0}


def bench(label: str, deck: Deck, state: RoomState, runs: int) -> bool:
    print(f"\n{label}")
    print(f"{'format':<6} {'size':>10} {'median':>9} {'max':>9} {'cpu med':>9} {'budget':>7}")
    within = True
    for fmt in FORMATS:
        wall, cpu = [], []
        size = 0
        for _ in range(runs):
            w0, c0 = time.perf_counter(), time.process_time()
            body, _ = render_sync(fmt, deck, state, "BENCH1")
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
            size = len(body)
        ok = statistics.median(wall) <= BUDGET_S[fmt]
        within &= ok
        print(f"{fmt:<6} {size:>9,}B {1000 * statistics.median(wall):>7.1f}ms "
              f"{1000 * max(wall):>7.1f}ms {1000 * statistics.median(cpu):>7.1f}ms "
              f"{1000 * BUDGET_S[fmt]:>5.0f}ms {'ok' if ok else 'OVER'}")
    return within


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per format")
    parser.add_argument("--cards", type=int, default=50)
    parser.add_argument("--players", type=int, default=30)
    args = parser.parse_args()

    deck = big_deck(args.cards)
    t0 = time.perf_counter()
    render_sync("pdf", deck, play(deck, players=2, cards=1), "WARMUP")
    print(f"warm-up (imports, fonts, first PDF): {1000 * (time.perf_counter() - t0):.0f} ms")
    print(f"{args.cards} cards (4 yes/no + 1 open question each), {args.players} participants, "
          f"all answer every question; {args.runs} runs per format; budget on the median")
    typical = play(deck, players=args.players)
    worst = play(deck, players=args.players, anonymous=False, uniform=True)
    ok = bench("typical: anonymous (the default), each question leaning one way or disputed",
               deck, typical, args.runs)
    bench("worst case: named session (names on every open answer), votes at random so nearly "
          "every question is divergent", deck, worst, args.runs)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
