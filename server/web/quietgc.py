"""The garbage collector's work done while nobody waits for the server.

A session goes in bursts: a discussion (the server idle), then everyone answers at once. The
collections that the joins and the previous round left due then fall in the burst, every
room stalled for their length: bench/load.py saw a 47 ms stall at the start of scenario a's
votes, after the rooms had filled. So, four times a second, when the process used almost no
CPU since the last look, a generation at least half-way to its own collection is collected
there and then. Under sustained load there is no quiet moment, and the collector's own
thresholds apply as before (``server/__main__.py``).
"""

import asyncio
import gc
import time

QUIET_CHECK_S = 0.25
QUIET_CPU_SHARE = 0.05  # the process used less than this share of a core: quiet


def due_generation(counts: tuple[int, int, int], thresholds: tuple[int, int, int]) -> int | None:
    """The oldest generation at least half-way to its own collection (``gc.get_count()``
    against ``gc.get_threshold()``): what the collector would soon do anyway is done early,
    and nothing more — a full pass over ten thousand connections costs a few hundred ms."""
    young, middle, full = counts
    if full >= max(1, thresholds[2] // 2):
        return 2
    if middle >= max(1, thresholds[1] // 2):
        return 1
    if young >= max(1, thresholds[0] // 2):
        return 0
    return None


async def collect_when_quiet() -> None:
    cpu = time.process_time()
    while True:
        await asyncio.sleep(QUIET_CHECK_S)
        now = time.process_time()
        quiet = now - cpu < QUIET_CPU_SHARE * QUIET_CHECK_S
        cpu = now
        if quiet and gc.isenabled():
            generation = due_generation(gc.get_count(), gc.get_threshold())
            if generation is not None:
                gc.collect(generation)
                cpu = time.process_time()  # the collection itself is not activity
