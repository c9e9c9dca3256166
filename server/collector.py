"""The garbage collector as every process of the server sets it: the app's and the PDF
worker's (server/summary/layouts.py)."""

import gc

THRESHOLDS = (5_000, 10, 50)


def quieten() -> None:
    """Fewer, shorter collections: what start-up loaded is moved out of the collector's sight
    (``gc.freeze``) and the thresholds are raised. In the app, a vote's collections were part
    of its latency (bench/README.md, "History"); in the PDF worker, a 50-card layout went
    through ~310 collections, ~250 ms of its ~1.8 s, and goes through ~40 now, ~80 ms (layout
    1.60 s against 1.81 s, median of four each, 2026-11-29)."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
